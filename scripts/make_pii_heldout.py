#!/usr/bin/env python3
"""Write tests/data/pii/ko_pii_heldout.jsonl: a held-out Korean PII test set.

Written independently of nuri's detectors and of scripts/make_pii_testset.py (neither was
read): the phrasings and layouts come from how Korean forms, chats, customer-service logs,
second-hand listings, notices, news, e-mail signatures, receipts, contracts and CVs write
these numbers. Every number is synthetic; check digits are computed here (RRN, FRN, card
Luhn, business number). Fixed seed: running it again rewrites the same bytes.

    python3 scripts/make_pii_heldout.py [--out tests/data/pii/ko_pii_heldout.jsonl]

One JSON object a line: {"id", "text", "spans": [{"type", "start", "end"}], "note"},
half-open UTF-8 byte offsets. Span conventions: a phone span includes +82 when written;
a card or account span is the number with its separators; a driver's licence span
includes the region name when the region is written as a word (서울 12-345678-90); an
address span runs from the 시/도 (or 시/군/구 when no 시/도 is written) to the building
number, or to the 동/호 detail when one follows; the (법정동) in parentheses is outside.
"""
import argparse
import json
import random
import re

SEED = 20261127
R = random.Random(SEED)

# ---------------------------------------------------------------- generators

def rrn_check(d12):
    w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    return (11 - sum(int(a) * b for a, b in zip(d12, w)) % 11) % 10


def birth():
    y = R.randint(1940, 2019)
    m = R.randint(1, 12)
    d = R.randint(1, [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1])
    return y, "%02d%02d%02d" % (y % 100, m, d)


def rrn_digits(foreign=False):
    y, ymd = birth()
    male = R.random() < 0.5
    if foreign:
        g = (5 if male else 6) if y < 2000 else (7 if male else 8)
    else:
        g = (1 if male else 2) if y < 2000 else (3 if male else 4)
    body = ymd + str(g) + "".join(str(R.randint(0, 9)) for _ in range(5))
    c = rrn_check(body)
    if foreign:
        c = (c + 2) % 10
    return body + str(c)


def gen_rrn():
    s = rrn_digits()
    return s if R.random() < 0.12 else s[:6] + "-" + s[6:]


def gen_rrn_mask():
    s = rrn_digits()
    return s[:6] + "-" + s[6] + "******"


def gen_frn():
    s = rrn_digits(foreign=True)
    return s if R.random() < 0.1 else s[:6] + "-" + s[6:]


def rd(n):
    return "".join(str(R.randint(0, 9)) for _ in range(n))


AREA = ["02", "031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055",
        "061", "062", "063", "064"]


def gen_mobile():
    mid = str(R.randint(2, 9)) + rd(3)
    last = rd(4)
    f = R.random()
    if f < 0.55:
        return "010-%s-%s" % (mid, last)
    if f < 0.7:
        return "010%s%s" % (mid, last)
    if f < 0.78:
        return "010 %s %s" % (mid, last)
    if f < 0.84:
        return "010.%s.%s" % (mid, last)
    if f < 0.92:
        return "+82 10-%s-%s" % (mid, last)
    p = R.choice(["011", "016", "017", "018", "019"])
    return "%s-%s-%s" % (p, str(R.randint(2, 9)) + rd(2), last)


def gen_landline():
    a = R.choice(AREA + ["070"])
    if a == "070":
        return "070-%s-%s" % (str(R.randint(2, 9)) + rd(3), rd(4))
    mid = str(R.randint(2, 9)) + rd(R.choice([2, 3]))
    if R.random() < 0.1:
        return "+82-%s-%s-%s" % (a[1:], mid, rd(4))
    return "%s-%s-%s" % (a, mid, rd(4))


def gen_phone():
    return gen_mobile() if R.random() < 0.6 else gen_landline()


LOCAL = ["minji", "jh.park", "seoyeon.kim", "dkim", "hyunwoo_lee", "sujin2", "yuna.choi", "bora.jeong",
         "jiho.han", "eunji.kang", "taeyang", "sh.yoon", "hana_song", "wj.lim", "kwon.dh", "mj0412"]
DOMAIN = ["naver.com", "gmail.com", "daum.net", "hanmail.net", "kakao.com", "nate.com", "korea.kr",
          "hanbit-soft.co.kr", "snu.ac.kr", "mail.seoul.go.kr", "outlook.com", "dasan-edu.or.kr"]


def gen_email():
    loc = R.choice(LOCAL)
    if R.random() < 0.5:
        loc += str(R.randint(1, 99))
    return loc + "@" + R.choice(DOMAIN)


def luhn_ok(s):
    d = [int(c) for c in s][::-1]
    tot = 0
    for i, x in enumerate(d):
        if i % 2:
            x *= 2
            if x > 9:
                x -= 9
        tot += x
    return tot % 10 == 0


def luhn_complete(prefix, n):
    body = prefix + rd(n - len(prefix) - 1)
    for c in "0123456789":
        if luhn_ok(body + c):
            return body + c


def gen_card():
    kind = R.random()
    if kind < 0.15:  # American Express, 15 digits, 4-6-5
        s = luhn_complete(R.choice(["34", "37"]), 15)
        sep = R.choice(["-", " ", ""])
        return sep.join([s[:4], s[4:10], s[10:]])
    s = luhn_complete(R.choice(["4", "51", "53", "55", "9410", "9430", "3560", "6250"]), 16)
    sep = R.choice(["-", "-", " ", ""])
    return sep.join([s[0:4], s[4:8], s[8:12], s[12:]])


BANKS = {  # bank name -> digit groups as written on a passbook
    "신한은행": [3, 3, 6], "국민은행": [6, 2, 6], "KB국민은행": [6, 2, 6], "우리은행": [4, 3, 6],
    "농협": [3, 4, 4, 2], "NH농협은행": [3, 4, 4, 2], "하나은행": [3, 6, 5], "IBK기업은행": [3, 6, 2, 3],
    "카카오뱅크": [4, 2, 7], "토스뱅크": [4, 4, 4], "케이뱅크": [3, 3, 6], "새마을금고": [4, 2, 7, 1],
    "우체국": [6, 2, 6], "SC제일은행": [3, 2, 6], "부산은행": [3, 4, 4, 2], "수협": [3, 2, 6],
}


def gen_account(bank):
    g = BANKS[bank]
    if bank == "카카오뱅크":
        parts = ["3333", rd(2), rd(7)]
    else:
        parts = [rd(n) for n in g]
    return "".join(parts) if R.random() < 0.15 else "-".join(parts)


def gen_passport():
    if R.random() < 0.35:
        return "M" + rd(3) + R.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + rd(4)
    return R.choice("MMMMSRGD") + rd(8)


REGIONS = {"서울": 11, "부산": 12, "경기": 13, "강원": 14, "충북": 15, "충남": 16, "전북": 17, "전남": 18,
           "경북": 19, "경남": 20, "제주": 21, "대구": 22, "인천": 23, "광주": 24, "대전": 25, "울산": 26}


def gen_driver():
    yy = "%02d" % R.randint(0, 99)
    tail = "%s-%s-%s" % (yy, rd(6), rd(2))
    if R.random() < 0.55:
        return "%d-%s" % (R.choice(list(REGIONS.values())), tail)
    return "%s %s" % (R.choice(list(REGIONS)), tail)


def brn_check(d9):
    w = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    s = sum(int(a) * b for a, b in zip(d9, w)) + int(d9[8]) * 5 // 10
    return (10 - s % 10) % 10


def gen_brn():
    d9 = str(R.randint(101, 899)) + "%02d" % R.choice([1, 5, 10, 11, 12, 13, 81, 82, 85, 86, 87, 88]) + rd(4)
    s = d9 + str(brn_check(d9))
    return "%s-%s-%s" % (s[:3], s[3:5], s[5:])


def gen_brn_bad():
    while True:
        d9 = str(R.randint(101, 899)) + rd(2) + rd(4)
        c = R.randint(0, 9)
        if c != brn_check(d9):
            s = d9 + str(c)
            return "%s-%s-%s" % (s[:3], s[3:5], s[5:])


def gen_ip():
    f = R.random()
    if f < 0.25:
        return "192.168.%d.%d" % (R.randint(0, 20), R.randint(2, 254))
    if f < 0.35:
        return "10.%d.%d.%d" % (R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
    if f < 0.75:
        return "%d.%d.%d.%d" % (R.choice([121, 211, 175, 222, 59, 112, 203, 1, 14, 58]), R.randint(0, 255),
                                R.randint(0, 255), R.randint(1, 254))
    h = lambda: "%x" % R.randint(1, 0xffff)
    g = R.random()
    if g < 0.4:
        return "2001:db8:%s:%s::%s" % (h(), h(), h())
    if g < 0.7:
        return "fe80::%s:%s:%s:%s" % (h(), h(), h(), h())
    return ":".join(["2406", "5900"] + [h() for _ in range(6)])


ROADS = [  # (시/도 full, 시/도 short, 시/군/구, [roads])
    ("서울특별시", "서울", "강남구", ["테헤란로", "도산대로", "봉은사로", "언주로", "선릉로93길"]),
    ("서울특별시", "서울", "마포구", ["월드컵북로", "양화로", "독막로", "와우산로29길"]),
    ("서울특별시", "서울", "송파구", ["올림픽로", "송파대로", "백제고분로"]),
    ("서울특별시", "서울", "성동구", ["성수이로7길", "왕십리로", "아차산로"]),
    ("서울특별시", "서울", "관악구", ["관악로14길", "남부순환로", "봉천로"]),
    ("서울특별시", "서울", "종로구", ["세종대로", "율곡로", "자하문로"]),
    ("경기도", "경기", "성남시 분당구", ["판교역로", "불정로", "황새울로"]),
    ("경기도", "경기", "수원시 영통구", ["광교중앙로", "월드컵로", "매영로"]),
    ("경기도", "경기", "고양시 일산동구", ["중앙로", "정발산로", "일산로"]),
    ("경기도", "경기", "용인시 수지구", ["포은대로", "풍덕천로"]),
    ("부산광역시", "부산", "해운대구", ["센텀중앙로", "해운대해변로", "좌동순환로"]),
    ("부산광역시", "부산", "부산진구", ["중앙대로", "서면로"]),
    ("대구광역시", "대구", "수성구", ["달구벌대로", "동대구로"]),
    ("인천광역시", "인천", "연수구", ["컨벤시아대로", "송도과학로"]),
    ("광주광역시", "광주", "북구", ["용봉로", "첨단과기로"]),
    ("대전광역시", "대전", "유성구", ["대학로", "엑스포로"]),
    ("울산광역시", "울산", "남구", ["삼산로", "번영로"]),
    ("세종특별자치시", "세종", "", ["한누리대로", "도움6로"]),
    ("강원특별자치도", "강원", "춘천시", ["중앙로", "공지로"]),
    ("충청북도", "충북", "청주시 흥덕구", ["직지대로", "풍산로"]),
    ("전북특별자치도", "전북", "전주시 완산구", ["효자로", "홍산로"]),
    ("경상남도", "경남", "창원시 성산구", ["중앙대로", "원이대로"]),
    ("제주특별자치도", "제주", "제주시", ["노연로", "연삼로", "중앙로"]),
]
DONG = ["역삼동", "서교동", "잠실동", "성수동2가", "봉천동", "삼성동", "백현동", "우동", "송도동", "궁동"]


def gen_address(detail=None, start_at_gu=False):
    full, short, gu, roads = R.choice(ROADS)
    if start_at_gu and gu:
        head = gu
    else:
        head = (full if R.random() < 0.6 else short) + (" " + gu if gu else "")
    num = str(R.randint(1, 420))
    if R.random() < 0.25:
        num += "-%d" % R.randint(1, 30)
    s = "%s %s %s" % (head, R.choice(roads), num)
    if detail is None:
        detail = R.random() < 0.35
    if detail:
        s += R.choice([", ", " ", ", "]) + R.choice(["%d동 %d호" % (R.randint(101, 115), R.randint(1, 25) * 100 + R.randint(1, 4)),
                                                     "%d호" % (R.randint(1, 15) * 100 + R.randint(1, 12))])
    return s


# ---------------------------------------------------------------- fillers (never PII)

SUR = "김이박최정강조윤장임한오서신권황안송류홍"
GIV = ["민준", "서연", "지호", "하은", "도윤", "수아", "예준", "지우", "현우", "채원", "건우", "유나", "태윤", "소율", "승민"]


def name():
    return R.choice(SUR) + R.choice(GIV)


def date():
    y, m, d = R.randint(2019, 2026), R.randint(1, 12), R.randint(1, 28)
    return R.choice(["%d-%02d-%02d" % (y, m, d), "%d.%d.%d" % (y, m, d), "%d년 %d월 %d일" % (y, m, d),
                     "%d. %d. %d." % (y, m, d)])


def price():
    return R.choice(["%s원" % format(R.randint(1, 900) * 1000, ","), "%d만 원" % R.randint(1, 300),
                     "₩%s" % format(R.randint(10, 9999) * 100, ",")])


def order():
    return R.choice(["%d%02d%02d-%07d" % (R.randint(2023, 2026), R.randint(1, 12), R.randint(1, 28), R.randint(0, 9999999)),
                     "ORD-%d-%05d" % (R.randint(2023, 2026), R.randint(0, 99999)),
                     "%d%s" % (R.randint(2023, 2026), rd(10))])


def time():
    return R.choice(["%02d:%02d" % (R.randint(8, 22), R.choice([0, 10, 15, 30, 45])),
                     "오후 %d시" % R.randint(1, 9), "오전 %d시 %d분" % (R.randint(8, 11), R.choice([10, 20, 30]))])


FILL = {"name": name, "date": date, "price": price, "order": order, "time": time,
        "dong": lambda: R.choice(DONG), "n": lambda: str(R.randint(2, 9))}

ENT = {  # placeholder -> (label, generator)
    "RRN": ("RRN", gen_rrn), "RRNM": ("RRN", gen_rrn_mask), "FRN": ("FRN", gen_frn),
    "PHONE": ("PHONE", gen_phone), "MOB": ("PHONE", gen_mobile), "TEL": ("PHONE", gen_landline),
    "EMAIL": ("EMAIL", gen_email), "CARD": ("CARD", gen_card), "PASS": ("PASSPORT", gen_passport),
    "DRV": ("DRIVER", gen_driver), "BRN": ("BRN", gen_brn), "IP": ("IP", gen_ip),
    "ADDR": ("ADDRESS", gen_address), "ADDRD": ("ADDRESS", lambda: gen_address(detail=True)),
    "ADDR0": ("ADDRESS", lambda: gen_address(detail=False)),
    "ADDRG": ("ADDRESS", lambda: gen_address(detail=False, start_at_gu=True)),
}

# ---------------------------------------------------------------- particles

DIGIT_FINAL = {"0": "o", "1": "l", "2": None, "3": "m", "4": None, "5": None, "6": "k", "7": "l", "8": "l", "9": None}
# How a text's last character is read aloud, for choosing the particle after it.
WORD_FINAL = {"m": "m", "t": "s", "r": "l", "l": "l", "g": "k", "o": None, "*": None, "호": None, "a": None,
              "z": None, "k": "k", "f": None, "e": None, "d": None, "b": None, "c": None}
JOSA = {  # after consonant, after vowel (after ㄹ for 으로 uses the vowel form)
    "이에요": ("이에요", "예요"), "이고": ("이고", "고"), "이야": ("이야", "야"), "은": ("은", "는"),
    "이": ("이", "가"), "을": ("을", "를"), "과": ("과", "와"), "이랑": ("이랑", "랑"), "으로": ("으로", "로"),
    "이죠": ("이죠", "죠"), "이라고": ("이라고", "라고"), "이니": ("이니", "니"), "이요": ("이요", "요"), "이래요": ("이래요", "래요"),
}


def final_of(s):
    c = s[-1]
    if c in DIGIT_FINAL:
        return DIGIT_FINAL[c]
    if "가" <= c <= "힣":
        jong = (ord(c) - 0xAC00) % 28
        return None if jong == 0 else ("l" if jong == 8 else "x")
    return WORD_FINAL.get(c.lower(), None)


def josa(prev, j):
    f = final_of(prev)
    a, b = JOSA[j]
    if j == "으로":
        return b if f in (None, "l") else a
    return b if f is None else a


# ---------------------------------------------------------------- composition

TOKEN = re.compile(r"\{([^{}:]+)(?::([^{}]+))?\}")


def fill(template):
    """Expand {TYPE}, {filler} and {J:particle}; return text and byte spans."""
    out, spans, ents = "", [], []
    pos = 0
    for m in TOKEN.finditer(template):
        out += template[pos:m.start()]
        key, arg = m.group(1), m.group(2)
        if key == "J":
            out += josa(out, arg)
        elif key in ENT:
            label, g = ENT[key]
            v = g()
            b = len(out.encode("utf-8"))
            out += v
            spans.append({"type": label, "start": b, "end": b + len(v.encode("utf-8"))})
            ents.append(v)
        elif key in BANKS:
            v = gen_account(key)
            b = len(out.encode("utf-8"))
            out += v
            spans.append({"type": "ACCOUNT", "start": b, "end": b + len(v.encode("utf-8"))})
            ents.append(v)
        elif key == "BANK":
            out += R.choice(list(BANKS))
        elif key in FILL:
            out += FILL[key]()
        else:
            raise KeyError(key)
        pos = m.end()
    out += template[pos:]
    raw = out.encode("utf-8")
    for s, v in zip(spans, ents):
        assert raw[s["start"]:s["end"]].decode("utf-8") == v, (out, s, v)
    return out, spans


# ---------------------------------------------------------------- positive templates

POS = [
    # chat (KakaoTalk style)
    ("chat", "ㅇㅇ 내 번호 {MOB}{J:이야} 저장해둬"),
    ("chat", "번호 바뀌었어요!! {MOB}{J:으로} 연락주세요~"),
    ("chat", "엄마 이거 내 새 번호ㅋㅋ {MOB}"),
    ("chat", "[카톡] {name}: 혹시 {MOB} 이 번호 맞아?\n{name}: ㅇㅇ 맞음"),
    ("chat", "계좌 불러줄게 {카카오뱅크}{J:이고} 예금주 {name}"),
    ("chat", "회비 {price} {토스뱅크}{J:으로} 보내줘~ (토스)"),
    ("chat", "정산합니다!! 1인당 {price}\n신한 {신한은행}\n{date}까지 부탁해요🙏"),
    ("chat", "메일 {EMAIL}{J:으로} 보내줘 ㄱㅅ"),
    ("chat", "내 이메일 {EMAIL}{J:이에요}~ 자료 좀 부탁"),
    ("chat", "와이파이 안됨ㅠ 공유기 주소가 {IP}{J:이니} 거기로 들어가봐"),
    ("chat", "ㅋㅋ 주민번호 앞자리만 말하면 되는데 {RRN} 다 적어버림;;"),
    ("chat", "집주소 {ADDRD}{J:이야} 택배 거기로 보내"),
    ("chat", "우리 집 {ADDR0}{J:이고} 1층에 편의점 있어"),
    # customer service logs
    ("cs", "[상담원] 본인 확인을 위해 생년월일과 성별을 말씀해 주세요.\n[고객] 주민번호 {RRN}{J:이에요}."),
    ("cs", "[상담원] 연락 가능한 번호 알려주시겠어요?\n[고객] {MOB}, 안 되면 회사 {TEL}{J:으로} 주세요."),
    ("cs", "[고객] 카드번호는 {CARD}{J:이고} 유효기간은 09/28이에요.\n[상담원] 확인 감사합니다."),
    ("cs", "[고객] 환불은 {BANK} 말고 {우리은행}{J:으로} 받고 싶어요\n[상담원] 네, 계좌 변경해 드릴게요."),
    ("cs", "상담 메모) 고객 {name} / 연락처:{MOB} / 주문 {order} / 배송지 {ADDRD}"),
    ("cs", "[챗봇] 외국인 고객님은 외국인등록번호를 입력해 주세요.\n[고객] {FRN}"),
    ("cs", "[상담원] 여권번호 확인되었습니다: {PASS}.\n[고객] 네 그거 맞아요"),
    ("cs", "[고객] 면허번호 {DRV}{J:이고} 갱신은 작년에 했어요"),
    ("cs", "[상담원] 접속 기록상 {date} {time}에 {IP}에서 로그인되었습니다. 본인이 맞으신가요?"),
    ("cs", "고객님 불편을 드려 죄송합니다. 회신은 {EMAIL}{J:으로} 드리겠습니다."),
    # forms
    ("form", "성명: {name}\n주민등록번호: {RRN}\n연락처: {MOB}\n주소: {ADDRD}"),
    ("form", "성 명\t{name}\n생년월일\t{date}\n휴대전화\t{MOB}\n이메일\t{EMAIL}"),
    ("form", "신청인：{name}　주민등록번호：{RRNM}　전화：{TEL}"),
    ("form", "■ 외국인등록번호 {FRN}\n■ 여권번호 {PASS}\n■ 국적 베트남"),
    ("form", "Name: {name} / Passport No.:{PASS} / Tel: {MOB} / E-mail: {EMAIL}"),
    ("form", "환급계좌(본인 명의): {국민은행} ({name})"),
    ("form", "자동이체 신청서\n은행명: 농협  계좌번호: {농협}\n예금주: {name}\n예금주 연락처: {MOB}"),
    ("form", "결제 카드：{CARD}\n할부：일시불\n금액：{price}"),
    ("form", "운전면허번호({DRV}) 및 적성검사 기간을 확인하세요."),
    ("form", "[필수] 운전면허증 번호: {DRV}\n[선택] 차량번호: 12가 3456"),
    ("form", "| 항목 | 내용 |\n|---|---|\n| 이름 | {name} |\n| 주민번호 | {RRNM} |\n| 휴대폰 | {MOB} |"),
    ("form", "| 구분 | 번호 |\n| --- | --- |\n| 사업자등록번호 | {BRN} |\n| 대표전화 | {TEL} |\n| 이메일 | {EMAIL} |"),
    # 당근 / second-hand listings
    ("listing", "아이폰 15 프로 팝니다 {price}\n직거래 {dong} / 연락은 {MOB}{J:으로} 문자 주세요"),
    ("listing", "유모차 나눔해요~ 위치는 {ADDR0} 앞 (연락 {MOB})"),
    ("listing", "입금은 {하나은행} 하나은행으로 해주시고 입금자명 꼭 적어주세요"),
    ("listing", "택배거래 가능. 선입금 카뱅 {카카오뱅크}, 받으실 주소랑 번호 보내주세요"),
    # notices / 공고
    ("notice", "문의처: 총무과 {TEL}(내선 {n}12), 담당자 {name}"),
    ("notice", "□ 접수처 : {ADDR0} 민원실\n□ 문의 : {TEL}"),
    ("notice", "제출처: {EMAIL} (파일명: 성명_연락처)\n마감: {date} 18:00까지"),
    ("notice", "※ 참가비 입금계좌: {IBK기업은행} (기업은행, 예금주 {name})"),
    ("notice", "주최 : (사)한빛문화협회 (사업자등록번호 {BRN}) / 주소 : {ADDRD}"),
    # news
    ("news", "경찰은 피의자가 {MOB} 번호로 피해자에게 수십 차례 연락한 것으로 보고 있다."),
    ("news", "해당 업체 사무실은 {ADDR0}에 있는 것으로 확인됐다."),
    ("news", "유출된 정보에는 이름, {RRNM} 형태의 주민등록번호 일부, 전화번호 등이 포함됐다."),
    ("news", "공격은 {IP} 등 해외 IP에서 시작된 것으로 분석됐다."),
    # signatures
    ("signature", "--\n{name} 과장 | 마케팅팀\nM. {MOB}  T. {TEL}\nE. {EMAIL}\n{ADDRD}"),
    ("signature", "감사합니다.\n\n{name} 드림\n㈜누리소프트 | Tel {TEL} | Fax {TEL}\n{EMAIL}"),
    ("signature", "Best regards,\n{name} (Jay) | Sales Manager\nMobile: {MOB}\nEmail:{EMAIL}"),
    # receipts
    ("receipt", "[영수증]\n상호: 모아분식\n사업자번호: {BRN}\n주소: {ADDR0}\n전화: {TEL}\n합계 {price}"),
    ("receipt", "카드승인  {date} {time}\n카드번호 {CARD}\n승인금액 {price}\n가맹점 사업자 {BRN}"),
    ("receipt", "현금영수증 발급(지출증빙): {BRN} / 금액 {price}"),
    # contracts
    ("contract", "임대인: {name} (주민등록번호 {RRN}, 주소: {ADDRD})\n임차인: {name} (연락처 {MOB})"),
    ("contract", "제5조(대금 지급) 을은 매월 말일까지 갑이 지정한 {신한은행}(신한은행)으로 지급한다."),
    ("contract", "공급자 사업자등록번호：{BRN}　대표자：{name}　소재지：{ADDR0}"),
    ("contract", "임차보증금은 임대인 명의 {NH농협은행} 계좌로 송금한다."),
    # CV
    ("cv", "이력서\n이름 {name} | 생년 1995 | {MOB} | {EMAIL}\n거주지 {ADDRG}"),
    ("cv", "Contact: {EMAIL} · {MOB} · GitHub github.com/dev{n}"),
    ("cv", "병역: 군필(육군 병장) / 운전면허: 1종보통({DRV})"),
    # IT / server logs
    ("log", "2026-11-{dd} 03:14:07 WARN login failed user=admin src={IP} port=22"),
    ("log", "허용 IP 목록: {IP}, {IP}, {IP}"),
    ("log", "서버 접속 정보\nhost：{IP}\nuser: deploy\n(비밀번호는 따로 전달)"),
    ("log", "IPv6 주소가 {IP}{J:으로} 잡히는데 정상인가요?"),
    # travel / passport
    ("travel", "항공권 예약자 여권번호 {PASS} (만료 {date})"),
    ("travel", "여권 재발급 후 번호가 {PASS}{J:으로} 바뀌었습니다. 마일리지 계정에 반영 부탁드립니다."),
    ("travel", "Passport: {PASS}, Nationality: Republic of Korea"),
    # foreign resident
    ("frn", "외국인등록번호 {FRN}{J:이고} 체류자격은 E-9입니다."),
    ("frn", "고용허가 신청 근로자: NGUYEN VAN A (외국인등록번호：{FRN})"),
    ("frn", "등록증 뒷면 번호 말고 앞면 {FRN}{J:으로} 입력하래요"),
    # card
    ("card", "카드 {CARD}{J:으로} 결제했는데 두 번 빠져나갔어요"),
    ("card", "법인카드({CARD}) 사용 내역 제출 바랍니다."),
    ("card", "- 카드: {CARD}\n- 금액: {price}\n- 승인번호: 3{n}418827"),
    # 2+ per text
    ("multi", "보내는 분 {name} {MOB} / 받는 분 {name} {MOB}\n받는 주소 {ADDRD}"),
    ("multi", "환불계좌 {케이뱅크}(케이뱅크), 연락처 {MOB}, 메일 {EMAIL}"),
    ("multi", "Driver license: {DRV}, passport {PASS}, phone {MOB}"),
    ("multi", "사업자 {BRN} 대표 {name} 주민번호 {RRNM} 주소 {ADDR0}"),
    ("multi", "법인 정보\n- 사업자등록번호: {BRN}\n- 대표번호: {TEL}\n- 세금계산서 메일: {EMAIL}\n- 입금계좌: {SC제일은행} (SC제일은행)"),
    ("multi", "우체국 {우체국} / 새마을금고 {새마을금고} 둘 중 편한 데로 넣어주세요"),
    ("multi", "자녀 {name} ({RRN}) 보호자 {name} ({RRN})"),
    ("multi", "{ADDR0}에서 {ADDRG}까지 이사 견적 문의드려요. 번호는 {MOB}"),
    ("multi", "[부산은행] {부산은행} / [수협] {수협}"),
    ("multi", "IP {IP}도 차단했고 {IP}까지 막았습니다"),
    ("multi", "면허 {DRV}{J:과} 여권 {PASS} 사본 첨부합니다."),
    ("mixed", "Please call me at {MOB} or email {EMAIL} — 한국어 가능합니다."),
    ("mixed", "Ship to: {ADDRD}, Republic of Korea (tel {PHONE})"),
    ("mixed", "My ARC number is {FRN}, and my bank account is {KB국민은행} at KB Kookmin Bank."),
    ("mixed", "BRN {BRN}, CEO {name}, Tel {TEL}"),
    # more card, licence, foreign-resident, passport and business-number phrasings
    ("card", "카드 번호 불러드릴게요. {CARD}{J:이요}. CVC는 말 안 해도 되죠?"),
    ("card", "[결제실패] VISA {CARD} 한도 초과"),
    ("card", "아멕스 {CARD}{J:으로} 호텔 보증 걸어뒀어요"),
    ("card", "카드정보\n번호\t{CARD}\n만료\t11/29"),
    ("card", "Card number:{CARD} (exp 03/27)"),
    ("driver", "운전면허증 번호는 {DRV}{J:이고} 발급일은 {date}입니다"),
    ("driver", "렌터카 예약: 운전자 {name}, 면허 {DRV}, 1종 보통"),
    ("driver", "면허번호：{DRV}\n암호일련번호：A1B2C3"),
    ("driver", "| 성명 | 면허번호 |\n|---|---|\n| {name} | {DRV} |"),
    ("driver", "[쏘카] 면허 인증 실패 - 입력값 {DRV} 확인 필요"),
    ("frn", "Alien registration no. {FRN} / visa D-2"),
    ("frn", "외국인등록번호(뒷자리 포함)：{FRN}"),
    ("frn", "등록번호가 {FRN}{J:인데} 은행 앱 가입이 안 돼요"),
    ("frn", "- 성명: TRAN THI B\n- 외국인등록번호: {FRN}\n- 연락처: {MOB}"),
    ("passport", "여권번호：{PASS}\n영문성명：KIM MINJUN"),
    ("passport", "PASSPORT NO. {PASS} / DATE OF EXPIRY 12 MAR 2033"),
    ("passport", "면세점 구매 시 여권({PASS}) 지참"),
    ("passport", "비자 신청서에 여권번호 {PASS}{J:을} 잘못 적었어요"),
    ("brn", "사업자등록번호 {BRN} (간이과세자)"),
    ("brn", "공급받는자 등록번호：{BRN}"),
    ("brn", "통신판매업 신고 2024-서울강남-{n}123 | 사업자등록번호 : {BRN} | 대표 {name}"),
]

# extra single-type lines to reach at least 20 of every type with varied particles
EXTRA = [
    ("particle", "제 주민등록번호는 {RRN}입니다."),
    ("particle", "주민번호가 {RRN}{J:인데} 오류가 나요"),
    ("particle", "전화번호는 {PHONE}입니다."),
    ("particle", "사무실 번호 {TEL}{J:은} 점심시간엔 안 받아요"),
    ("particle", "제 메일은 {EMAIL}입니다."),
    ("particle", "카드번호 {CARD}까지 다 불러드렸는데요"),
    ("particle", "계좌번호 {BANK}? 아니 {신한은행}{J:이에요} 신한"),
    ("particle", "여권 번호는 {PASS}입니다."),
    ("particle", "면허번호가 {DRV}{J:으로} 나와 있어요"),
    ("particle", "사업자등록번호는 {BRN}입니다."),
    ("particle", "사업자번호 {BRN}{J:으로} 조회해 보세요"),
    ("particle", "접속 IP는 {IP}입니다."),
    ("particle", "주소는 {ADDRD}입니다."),
    ("particle", "외국인등록번호는 {FRN}입니다."),
    ("paren", "연락처({MOB})로 인증번호가 발송되었습니다."),
    ("paren", "담당자 {name}({EMAIL})"),
    ("paren", "계좌(하나은행 {하나은행})"),
    ("paren", "가맹점(사업자등록번호：{BRN})"),
    ("paren", "서버({IP})가 응답하지 않습니다."),
    ("paren", "본사({ADDR0})"),
    ("paren", "여권({PASS})"),
    ("paren", "면허({DRV})"),
    ("paren", "외국인({FRN})"),
    ("paren", "카드({CARD})"),
    ("paren", "주민({RRNM})"),
]
EXTRA_JOSA = {"인데": ("인데", "인데")}
JOSA.update(EXTRA_JOSA)

# ---------------------------------------------------------------- negatives


def rrn_bad_month():
    while True:
        s = "%02d%02d%02d-%d%s" % (R.randint(0, 99), R.choice([0, 13, 14, 19, 21, 34, 45, 88, 99]),
                                   R.randint(1, 28), R.randint(1, 4), rd(6))
        return s


def card_bad():
    while True:
        s = R.choice(["4", "5", "9"]) + rd(15)
        if not luhn_ok(s):
            return "-".join([s[0:4], s[4:8], s[8:12], s[12:]]) if R.random() < 0.5 else s


def order16_bad():
    while True:
        s = str(R.randint(2023, 2026)) + rd(12)
        if not luhn_ok(s):
            return s


NEG_FILL = {"rrnbad": rrn_bad_month, "cardbad": card_bad, "o16": order16_bad, "brnbad": gen_brn_bad,
            "d": lambda: str(R.randint(1, 9)), "dd": lambda: rd(2), "d3": lambda: rd(3), "d4": lambda: rd(4),
            "d5": lambda: rd(5), "d6": lambda: rd(6), "d8": lambda: rd(8)}
FILL.update(NEG_FILL)

NEG = [
    ("date", "{date} {time}에 회의실 3에서 만나요"),
    ("date", "유효기간 2028-03-31 / 제조일자 2025.11.02"),
    ("date", "생년월일: 1990.01.01 (만 36세)"),
    ("date", "생년월일 9{d}0{d}1{d} 6자리만 입력해 주세요"),
    ("date", "접수 기간: {date} ~ {date}, 평일 09:00~18:00"),
    ("date", "2026년 11월 27일 금요일 오후 3시 30분"),
    ("time", "러닝 기록 05:32:18, 평균 페이스 5'21\""),
    ("price", "총 결제금액 {price} (부가세 {price} 포함)"),
    ("price", "월세 50/500이고 관리비 {price} 별도에요"),
    ("price", "1,234,567,890원 중 {price} 입금 완료"),
    ("price", "시세 84㎡ 기준 12억 3,000만 원"),
    ("order", "주문번호 {order} 배송 준비 중입니다."),
    ("order", "주문번호: {o16}"),
    ("order", "운송장번호 {d4}-{d4}-{d4} (CJ대한통운)"),
    ("order", "송장번호 {d6}{d6}, 내일 도착 예정"),
    ("order", "인보이스 No. INV-2025-{d5} 발행했습니다"),
    ("order", "예약번호 {d4}{d4}{d4}{d4}{d}"),
    ("order", "[쿠팡] 주문번호 {o16} 상품 출고"),
    ("order", "접수번호 {brnbad} 로 처리 중"),
    ("order", "관리번호 {brnbad}, 문서번호 총무-{d4}"),
    ("order", "쿠폰 코드 {cardbad} 입력 시 10% 할인"),
    ("order", "거래번호 {cardbad}"),
    ("order", "멤버십 번호 {o16} 적립 완료"),
    ("order", "환불 요청 번호 {d3}-{d6}-{d5} 접수"),
    ("court", "사건번호 2023가합{d5} 손해배상(기)"),
    ("court", "서울중앙지방법원 2024고단{d4} 판결"),
    ("court", "대법원 2022다{d6} 판결 참조"),
    ("court", "2025구합{d5} 행정처분취소 사건 변론기일 {date}"),
    ("law", "개인정보 보호법 제23조 제1항 제2호에 따라"),
    ("law", "민법 제618조(임대차의 의의) 참조"),
    ("law", "근로기준법 시행령 제30조의2 제3항"),
    ("law", "관보 제{d5}호 ({date})"),
    ("isbn", "ISBN 979-11-{d4}-{d3}-{d}"),
    ("isbn", "ISBN 978-89-{d3}-{d4}-{d}, 정가 {price}"),
    ("isbn", "바코드 880{d5}{d5}"),
    ("model", "모델명 SM-S928N, 256GB, 티타늄 그레이"),
    ("model", "냉장고 모델 RF85C9{d3}AP 정품 필터"),
    ("model", "품번 M{d8} 사이즈 95"),
    ("model", "LG 그램 16Z90S-GA5{d}K 중고 팝니다 {price}"),
    ("model", "부품코드 S{d8} (단종)"),
    ("model", "시리얼 넘버 R{d8}X"),
    ("version", "버전 v2.{d}.{dd} 업데이트 후 버그 발생"),
    ("version", "Windows 10.0.19045.{d4} 빌드에서 재현"),
    ("version", "크롬 131.0.6778.{d3} 최신 버전입니다"),
    ("version", "libnuri {d}.{d}.{d} 릴리스 노트"),
    ("version", "펌웨어 1.{dd}.{d3}.{d4} 설치 완료"),
    ("count", "조회수 1,{d3},{d3}회 · 구독자 {d}{d}만 명"),
    ("count", "누적 관객 1,0{dd}만 3,{d3}명 돌파"),
    ("count", "좋아요 {d3} 댓글 {dd} 공유 {d}"),
    ("count", "사원 수 1,{d3}명, 매출 {d},{d3}억 원"),
    ("count", "010호 회의실은 공사 중입니다"),
    ("count", "재고 01012개 남음 (창고 B-{dd})"),
    ("count", "전화번호 끝자리 {d4}번 고객님 주문하신 음료 나왔습니다"),
    ("bank", "계좌번호는 DM으로 알려드릴게요"),
    ("bank", "신한은행 앱에서 {date}부터 이체 한도가 {price}으로 바뀝니다"),
    ("bank", "국민은행 여의도지점 {time} 방문 예정"),
    ("bank", "계좌이체 시 수수료 {price} 부과됩니다"),
    ("bank", "카카오뱅크 26주 적금 {d}주차 {price} 납입"),
    ("bank", "농협 하나로마트 {dong}점 영업시간 09:00~22:00"),
    ("bank", "계좌 개설은 신분증 지참 후 영업점 방문"),
    ("bank", "우리은행 금리 연 3.{dd}% (12개월)"),
    ("rrn", "오류 예시: 991345-{d}{d6} 처럼 월이 13 이상이면 잘못된 번호입니다"),
    ("rrn", "샘플 {rrnbad} (테스트용 무효값)"),
    ("rrn", "코드 {rrnbad} 로 등록된 품목"),
    ("rrn", "주민등록번호 형식: YYMMDD-GXXXXXX"),
    ("rrn", "주민등록번호 뒷자리는 ******로 가려집니다"),
    ("card", "카드번호 16자리 중 앞 6자리(BIN)만 저장합니다"),
    ("card", "카드 끝자리 {d4} / 할부 {d}개월"),
    ("card", "가상 카드 ****-****-****-{d4} 결제 완료"),
    ("phone", "고객센터 1588-{d4} (평일 9시~18시)"),
    ("phone", "대표번호 1644-{d4}, 팩스 없음"),
    ("phone", "긴급신고 112, 119, 민원 110"),
    ("phone", "수신거부 080-{d3}-{d4}"),
    ("phone", "내선번호 {d4}번으로 돌려드릴게요"),
    ("phone", "인증번호 [{d6}]를 입력하세요"),
    ("brn", "제품 일련번호 {brnbad} 확인 바랍니다"),
    ("brn", "좌석 {brnbad} 구역은 매진"),
    ("geo", "좌표 37.5665, 126.9780 (서울시청)"),
    ("geo", "위도 35.1{d3} 경도 129.0{d3} 부근"),
    ("geo", "GPS: N 37°33'58\" E 126°58'41\""),
    ("stat", "전년 대비 3.2% 증가한 1,234만 명으로 집계됐다"),
    ("stat", "실업률 2.{d}%, 고용률 6{d}.{d}%, 경제활동인구 2,9{dd}만 명"),
    ("stat", "표본 1,0{dd}명, 신뢰수준 95%, 오차 ±3.1%p"),
    ("stat", "코스피 2,{d3}.{dd} (+1.{dd}%)"),
    ("stat", "GDP 성장률 1.4%, 물가 상승률 2.3% ({date} 발표)"),
    ("ip", "서브넷 마스크 255.255.255.0, 게이트웨이는 관리자에게 문의"),
    ("ip", "버전 1.2.{d}.{d}0 배포 완료"),
    ("ip", "섹션 3.1.2.4 참조"),
    ("ip", "MAC 주소 00:1A:2B:3C:4D:5E"),
    ("ip", "IPv4 주소는 점으로 구분된 네 개의 숫자입니다"),
    ("ip", "시간 12:30:45 기준 로그"),
    ("addr", "테헤란로 일대 교통 혼잡"),
    ("addr", "올림픽대로 12km 정체"),
    ("addr", "종로 3가역 2번 출구에서 만나요"),
    ("addr", "서울 강남구 일대 아파트값 상승"),
    ("addr", "경기도 성남시 분당구 소재 기업 {d}곳"),
    ("addr", "세종대로 사거리에서 집회 예정"),
    ("addr", "부산 해운대구 센텀시티 인근 맛집"),
    ("addr", "도로명주소 검색은 juso.go.kr 에서"),
    ("passport", "여권 발급 수수료 {price} (10년 복수)"),
    ("passport", "여권번호는 알파벳 1자리와 숫자 8자리로 구성됩니다"),
    ("passport", "좌석 M{dd} 열, 게이트 {dd}"),
    ("driver", "운전면허 2종 보통 필기시험 {date}"),
    ("driver", "면허 취득 후 {d}년 이상 운전 경력자 우대"),
    ("driver", "스코어 11-12 (연장전), 다음 경기 {date}"),
    ("email", "이메일 주소 형식이 올바르지 않습니다 (예: 아이디@도메인)"),
    ("email", "@naver 태그된 게시물 {d3}개"),
    ("email", "인스타 @nuri_official 팔로우 부탁드려요"),
    ("misc", "차량번호 12가 {d4}, 주차 B2-{dd}"),
    ("misc", "학번 2021{d5}, 수강번호 {d6}-{dd}"),
    ("misc", "HS코드 8471.30-{d4}"),
    ("misc", "온도 -3.5°C, 습도 {dd}%"),
    ("misc", "혈압 120/80, 체중 6{d}.{d}kg"),
    ("misc", "해상도 3840x2160, 144Hz"),
    ("misc", "우편번호 0{d4}"),
    ("misc", "Tracking: 1Z{d6}{d8} (UPS)"),
    ("misc", "방 번호 1203호, 101동 앞 주차장"),
    ("misc", "시험 점수 98.5/100, 석차 3/120"),
    ("misc", "{date} 기준 확진자 {d},{d3}명"),
]

# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/data/pii/ko_pii_heldout.jsonl")
    a = ap.parse_args()
    rows = []
    for rep in range(2):
        for note, t in POS:
            text, spans = fill(t)
            rows.append((text, spans, note))
    for note, t in EXTRA:
        text, spans = fill(t)
        rows.append((text, spans, note))
    for note, t in NEG:
        text, spans = fill(t)
        assert not spans
        rows.append((text, spans, "negative:" + note))
    # a second draw of the negatives that contain random fields (new numbers)
    for note, t in NEG:
        if "{" in t:
            text, spans = fill(t)
            rows.append((text, spans, "negative:" + note))
    R.shuffle(rows)
    counts = {}
    with open(a.out, "w", encoding="utf-8") as f:
        for i, (text, spans, note) in enumerate(rows):
            raw = text.encode("utf-8")
            for s in spans:
                raw[s["start"]:s["end"]].decode("utf-8")
                counts[s["type"]] = counts.get(s["type"], 0) + 1
            f.write(json.dumps({"id": "ho-%04d" % i, "text": text, "spans": spans, "note": note},
                               ensure_ascii=False) + "\n")
    n_neg = sum(1 for r in rows if not r[1])
    total = sum(counts.values())
    print("%d texts, %d spans, %d negatives: %s" % (len(rows), total, n_neg,
                                                    ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
    assert total >= 250 and n_neg >= 120 and all(counts.get(t, 0) >= 20 for t in
        ["RRN", "FRN", "PHONE", "EMAIL", "CARD", "ACCOUNT", "PASSPORT", "DRIVER", "BRN", "IP", "ADDRESS"]), counts


if __name__ == "__main__":
    main()
