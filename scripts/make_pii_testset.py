#!/usr/bin/env python3
"""Writes tests/data/pii/ko_pii_testset.jsonl: a labeled Korean PII test set.

Every number, name and address here is synthetic: numbers are drawn at random and given
valid (or, for negatives, invalid) check digits by the formulas below; names are random
syllable combinations; addresses combine real district and road-name patterns with random
building numbers. The set was written and committed before nuri's detectors for the new
types were written or tuned on it (see docs/pii.md for the commit).

One JSON object a line: {"id", "text", "spans": [{"type", "start", "end"}], "note"}; start
and end are half-open byte offsets into the UTF-8 text. Types: RRN FRN PHONE EMAIL CARD
ACCOUNT PASSPORT DRIVER BRN IP ADDRESS. Lines with no spans are hard negatives.

Run: python3 scripts/make_pii_testset.py [OUT]  (fixed seed: the same file every time)
"""
import json
import random
import sys

SEED = 20261127
R = random.Random(SEED)

# ---------------------------------------------------------------- helpers


def digits(n, first=None):
    s = "".join(str(R.randrange(10)) for _ in range(n))
    if first is not None:
        s = str(first) + s[1:]
    return s


def luhn_check(body):
    """Check digit that makes body + digit pass Luhn."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        v = int(ch)
        if i % 2 == 0:  # these positions are doubled once the check digit is appended
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return str((10 - total % 10) % 10)


def luhn_ok(num):
    total = 0
    for i, ch in enumerate(reversed(num)):
        v = int(ch)
        if i % 2 == 1:
            v *= 2
            if v > 9:
                v -= 9
        total += v
    return total % 10 == 0


RRN_W = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]


def rrn_check(d12):
    s = sum(int(a) * w for a, w in zip(d12, RRN_W))
    return str((11 - s % 11) % 10)


def frn_check(d12):
    s = sum(int(a) * w for a, w in zip(d12, RRN_W))
    return str(((11 - s % 11) % 10 + 2) % 10)


BRN_W = [1, 3, 7, 1, 3, 7, 1, 3, 5]


def brn_check(d9):
    s = sum(int(a) * w for a, w in zip(d9, BRN_W))
    s += (int(d9[8]) * 5) // 10
    return str((10 - s % 10) % 10)


DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def birth(y0=1940, y1=2019):
    y = R.randint(y0, y1)
    m = R.randint(1, 12)
    d = R.randint(1, DAYS[m])
    return y, "%02d%02d%02d" % (y % 100, m, d)


def rrn_value(checksum=True):
    y, ymd = birth()
    g = (("1" if R.random() < 0.5 else "2") if y < 2000 else ("3" if R.random() < 0.5 else "4"))
    body = ymd + g + digits(5)
    c = rrn_check(body) if checksum else str((int(rrn_check(body)) + R.randint(1, 9)) % 10)
    return body + c


def frn_value():
    y, ymd = birth(1950, 2015)
    g = R.choice("56") if y < 2000 else R.choice("78")
    # registration office (2 digits, even), serial, registrant type 6-9
    body = ymd + g + "%02d" % (2 * R.randint(5, 49)) + digits(2) + R.choice("6789")
    return body + frn_check(body)


# ---------------------------------------------------------------- fake people

SURNAMES = "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허유남심노하곽성차주우구민"
GIVEN = "민서준지현우수영하은도윤예진성호재원태희승연유나다혜정훈상경동소채아시주찬건혁"


def name():
    return R.choice(SURNAMES) + R.choice(GIVEN) + R.choice(GIVEN)


ROMAN = ["minjun", "seoyeon", "jiho", "haeun", "doyoon", "yuna", "kim", "lee", "park", "choi",
         "jung", "kang", "yoon", "jang", "lim", "han", "hong", "sujin", "taehee", "jiwoo", "hyunwoo",
         "dongho", "sora", "eunji", "jaewon", "mina", "junho", "yerin", "sangmin", "chaeyoung"]
DOMAINS = ["naver.com", "gmail.com", "daum.net", "hanmail.net", "kakao.com", "nate.com",
           "korea.ac.kr", "snu.ac.kr", "example.co.kr", "mail.example.kr", "company.kr",
           "hanmail.net", "outlook.com", "yonsei.ac.kr", "corp.example.com"]


def email():
    a = R.choice(ROMAN)
    style = R.randrange(6)
    if style == 0:
        local = a + str(R.randint(1, 9999))
    elif style == 1:
        local = a + "." + R.choice(ROMAN)
    elif style == 2:
        local = a + "_" + str(R.randint(70, 99))
    elif style == 3:
        local = a[0] + R.choice(ROMAN)
    elif style == 4:
        local = a + "-" + R.choice(ROMAN) + str(R.randint(1, 99))
    else:
        local = a
    return local + "@" + R.choice(DOMAINS)


# ---------------------------------------------------------------- numbers


def phone():
    kind = R.randrange(10)
    sep = R.choice(["-", "-", "-", "-", ".", " ", ""])
    if kind <= 4:  # mobile 010
        a, b, c = "010", str(R.randint(2, 9)) + digits(3), digits(4)
    elif kind == 5:  # old mobile
        a, b, c = R.choice(["011", "016", "017", "019"]), str(R.randint(2, 9)) + digits(R.choice([2, 3])), digits(4)
    elif kind == 6:  # Seoul
        a, b, c = "02", str(R.randint(2, 9)) + digits(R.choice([2, 3])), digits(4)
    elif kind == 7:  # other area
        a = R.choice(["031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055",
                      "061", "062", "063", "064"])
        b, c = str(R.randint(2, 9)) + digits(R.choice([2, 3])), digits(4)
    elif kind == 8:  # 070
        a, b, c = "070", str(R.randint(2, 9)) + digits(3), digits(4)
    else:  # international
        b, c = str(R.randint(2, 9)) + digits(3), digits(4)
        form = R.randrange(4)
        if form == 0:
            return "+82 10-%s-%s" % (b, c)
        if form == 1:
            return "+82-10-%s-%s" % (b, c)
        if form == 2:
            return "+8210%s%s" % (b, c)
        return "+82 2-%s-%s" % (str(R.randint(2, 9)) + digits(2), c)
    if R.random() < 0.08 and a.startswith("0") and a != "010" and sep == "-":
        return "(%s) %s-%s" % (a, b, c)
    return a + sep + b + sep + c


def card():
    kind = R.randrange(6)
    if kind == 0:  # Amex 4-6-5
        body = R.choice(["34", "37"]) + digits(12)
        num = body + luhn_check(body)
        sep = R.choice(["-", " ", ""])
        return sep.join([num[:4], num[4:10], num[10:]]) if sep else num
    prefix = {1: "4", 2: "5" + str(R.randint(1, 5)), 3: "9" + R.choice(["4", "1", "0"]), 4: "4", 5: "6"}[kind]
    body = prefix + digits(15 - len(prefix))
    num = body + luhn_check(body)
    assert luhn_ok(num)
    sep = R.choice(["-", "-", " ", ""])
    return sep.join(num[i:i + 4] for i in range(0, 16, 4)) if sep else num


# bank -> group lengths (the formats banks print on passbooks)
BANKS = [
    (["국민은행", "국민", "KB국민은행", "KB"], [6, 2, 6]),
    (["신한은행", "신한"], [3, 3, 6]),
    (["우리은행", "우리"], [4, 3, 6]),
    (["하나은행", "하나"], [3, 6, 5]),
    (["농협", "NH농협", "농협은행"], [3, 4, 4, 2]),
    (["기업은행", "IBK기업은행", "기업"], [3, 6, 2, 3]),
    (["카카오뱅크", "카뱅"], [4, 2, 7]),
    (["토스뱅크", "토스"], [4, 4, 4]),
    (["SC제일은행", "제일은행"], [3, 2, 6]),
    (["케이뱅크"], [3, 3, 6]),
    (["우체국"], [6, 2, 6]),
    (["새마을금고"], [4, 2, 6, 1]),
]


def account():
    names, groups = R.choice(BANKS)
    bank = R.choice(names)
    parts = [digits(g) for g in groups]
    if bank in ("카카오뱅크", "카뱅"):
        parts[0] = "3333"
    if parts[0][0] == "0":
        parts[0] = str(R.randint(1, 9)) + parts[0][1:]
    sep = "-" if R.random() < 0.8 else ""
    return bank, sep.join(parts)


def passport():
    letter = R.choice("MMMMSRGD")
    if R.random() < 0.5:
        return letter + digits(8)
    return letter + digits(3) + R.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + digits(4)


DRIVER_REGIONS = {"서울": 11, "부산": 12, "경기": 13, "강원": 14, "충북": 15, "충남": 16, "전북": 17,
                  "전남": 18, "경북": 19, "경남": 20, "제주": 21, "대구": 22, "인천": 23, "광주": 24,
                  "대전": 25, "울산": 26, "경기북부": 28}


def driver():
    region = R.choice(list(DRIVER_REGIONS))
    yy, serial, chk = "%02d" % R.randint(0, 99), digits(6), digits(2)
    form = R.randrange(5)
    if form <= 2:
        return "%02d-%s-%s-%s" % (DRIVER_REGIONS[region], yy, serial, chk)
    if form == 3:
        return "%s %s-%s-%s" % (region, yy, serial, chk)
    return "%02d%s%s%s" % (DRIVER_REGIONS[region], yy, serial, chk)


def brn(valid=True):
    d9 = "%03d" % R.randint(101, 999) + "%02d" % R.choice(list(range(1, 100))) + digits(4)
    c = brn_check(d9)
    if not valid:
        c = str((int(c) + R.randint(1, 9)) % 10)
    n = d9 + c
    return "%s-%s-%s" % (n[:3], n[3:5], n[5:])


def ipv4():
    first = R.choice([1, 14, 27, 58, 61, 106, 112, 121, 175, 180, 203, 210, 211, 218, 220, 222, 223,
                      10, 172, 192])
    octs = [first] + [R.randint(0, 255) for _ in range(3)]
    if first == 192:
        octs[1] = 168
    return ".".join(map(str, octs))


def ipv6():
    groups = ["%x" % R.randint(0, 0xFFFF) for _ in range(8)]
    groups[0] = R.choice(["2001", "2400", "2404", "fe80", "2406"])
    form = R.randrange(3)
    if form == 0:
        return ":".join(groups)
    if form == 1:
        return ":".join(g.zfill(4) for g in groups)
    a = R.randint(1, 3)
    b = R.randint(1, 6 - a)  # at most 6 groups written: "::" stands for 2 or more
    return ":".join(groups[:a]) + "::" + ":".join(groups[8 - b:])


# sido -> list of (sigungu words)
REGIONS = [
    (["서울특별시", "서울시", "서울"], [["강남구"], ["서초구"], ["마포구"], ["종로구"], ["송파구"], ["관악구"],
                                  ["노원구"], ["영등포구"], ["성동구"], ["은평구"], ["강서구"], ["동작구"]]),
    (["부산광역시", "부산"], [["해운대구"], ["부산진구"], ["수영구"], ["동래구"], ["사하구"]]),
    (["대구광역시", "대구"], [["수성구"], ["달서구"], ["중구"]]),
    (["인천광역시", "인천"], [["연수구"], ["남동구"], ["부평구"]]),
    (["광주광역시", "광주"], [["서구"], ["북구"], ["광산구"]]),
    (["대전광역시", "대전"], [["유성구"], ["서구"], ["대덕구"]]),
    (["울산광역시", "울산"], [["남구"], ["중구"], ["울주군"]]),
    (["세종특별자치시", "세종시"], [[]]),
    (["경기도", "경기"], [["성남시", "분당구"], ["수원시", "영통구"], ["고양시", "일산동구"], ["용인시", "수지구"],
                       ["화성시"], ["파주시"], ["양평군"], ["안양시", "동안구"], ["부천시"], ["남양주시"]]),
    (["강원특별자치도", "강원도"], [["춘천시"], ["원주시"], ["강릉시"]]),
    (["충청북도", "충북"], [["청주시", "흥덕구"], ["충주시"]]),
    (["충청남도", "충남"], [["천안시", "서북구"], ["아산시"], ["공주시"]]),
    (["전북특별자치도", "전라북도"], [["전주시", "완산구"], ["군산시"]]),
    (["전라남도", "전남"], [["여수시"], ["순천시"], ["목포시"]]),
    (["경상북도", "경북"], [["포항시", "남구"], ["경주시"], ["구미시"]]),
    (["경상남도", "경남"], [["창원시", "성산구"], ["김해시"], ["진주시"]]),
    (["제주특별자치도", "제주도"], [["제주시"], ["서귀포시"]]),
]
ROADS = ["테헤란로", "판교역로", "세종대로", "중앙로", "해운대로", "월드컵북로", "올림픽로", "도산대로", "신촌로",
         "동일로", "경인로", "충장로", "둔산로", "문화로", "대학로", "번영로", "시청로", "한누리대로", "삼성로",
         "봉은사로", "양재대로", "광교로", "정자일로", "수성로", "달구벌대로", "센텀중앙로", "구월로", "상무대로",
         "노은동로", "삼산로", "첨단과기로", "연삼로", "중앙공원로", "새말로", "동탄대로", "호수로", "백범로",
         "반포대로", "강남대로", "영동대로", "퇴계로", "을지로", "종로", "청계천로", "마포대로", "여의대로"]
GIL_BASE = ["도산대로", "올림픽로", "봉은사로", "테헤란로", "동일로", "신촌로", "중앙로", "수성로", "번영로"]


def address():
    sidos, sggs = R.choice(REGIONS)
    sido = R.choice(sidos)
    sgg = R.choice(sggs)
    if R.random() < 0.25:
        road = R.choice(GIL_BASE) + str(R.randint(1, 99)) + R.choice(["길", "번길"])
    else:
        road = R.choice(ROADS)
    num = str(R.randint(1, 999))
    if R.random() < 0.15:
        num += "-" + str(R.randint(1, 30))
    words = ([sido] if (R.random() < 0.85 or not sgg) else []) + sgg + [road, num]
    if len(words) == 2:  # a road and a number alone are not an address here
        words = [sidos[0]] + words
    addr = " ".join(words)
    r = R.random()
    if r < 0.2:
        addr += ", %d동 %d호" % (R.randint(101, 120), R.randint(1, 25) * 100 + R.randint(1, 8))
    elif r < 0.3:
        addr += " %d층" % R.randint(2, 30)
    elif r < 0.4:
        addr += ", %d호" % (R.randint(1, 15) * 100 + R.randint(1, 12))
    return addr


# ---------------------------------------------------------------- distractors (never labeled)


def date_s():
    y, m = R.randint(2015, 2026), R.randint(1, 12)
    d = R.randint(1, DAYS[m])
    return R.choice(["%d-%02d-%02d" % (y, m, d), "%d.%02d.%02d" % (y, m, d), "%d년 %d월 %d일" % (y, m, d),
                     "%d. %d. %d." % (y, m, d)])


def price():
    v = R.randint(1, 5000) * R.choice([100, 1000, 10])
    return "{:,}원".format(v)


def order_no():
    return R.choice(["%d%02d%02d-%s" % (R.randint(2020, 2026), R.randint(1, 12), R.randint(1, 28), digits(6)),
                     "ORD-%s" % digits(10), digits(12), "%d%02d%02d%s" % (R.randint(2020, 2026), R.randint(1, 12),
                                                                         R.randint(1, 28), digits(8))])


# ---------------------------------------------------------------- building texts


class Doc:
    def __init__(self, note):
        self.parts = []
        self.spans = []
        self.pos = 0
        self.note = note

    def text(self, s):
        self.parts.append(s)
        self.pos += len(s.encode("utf-8"))
        return self

    def ent(self, typ, s):
        b = len(s.encode("utf-8"))
        self.spans.append({"type": typ, "start": self.pos, "end": self.pos + b})
        return self.text(s)

    def done(self):
        return "".join(self.parts), self.spans


def fill(template, note):
    """template: text with {TYPE} slots (labeled) and {name} {date} {price} {order} (not)."""
    d = Doc(note)
    i = 0
    extra = {}
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            d.text(template[i:])
            break
        d.text(template[i:j])
        k = template.index("}", j)
        slot = template[j + 1:k]
        i = k + 1
        if slot == "name":
            d.text(name())
        elif slot == "date":
            d.text(date_s())
        elif slot == "price":
            d.text(price())
        elif slot == "zip":
            d.text("%05d" % R.randint(1000, 63999))
        elif slot == "order":
            d.text(order_no())
        elif slot == "bank":  # the bank name goes with the next ACCOUNT slot
            extra["bank"], extra["acct"] = account()
            d.text(extra["bank"])
        elif slot == "ACCOUNT":
            if "acct" not in extra:
                extra["bank"], extra["acct"] = account()
            d.ent("ACCOUNT", extra.pop("acct"))
        elif slot == "RRN":
            d.ent("RRN", rrn_value(checksum=R.random() < 0.5))
        elif slot == "RRN13":  # bare 13 digits with a valid check digit
            d.ent("RRN", rrn_value(checksum=True).replace("-", ""))
        elif slot == "RRNH":
            v = rrn_value(checksum=R.random() < 0.5)
            d.ent("RRN", v[:6] + "-" + v[6:])
        elif slot == "RRNM":  # masked
            v = rrn_value()
            d.ent("RRN", v[:6] + "-" + v[6] + "******")
        elif slot == "FRN":
            v = frn_value()
            d.ent("FRN", v[:6] + "-" + v[6:] if R.random() < 0.8 else v)
        elif slot == "PHONE":
            d.ent("PHONE", phone())
        elif slot == "EMAIL":
            d.ent("EMAIL", email())
        elif slot == "CARD":
            d.ent("CARD", card())
        elif slot == "PASSPORT":
            d.ent("PASSPORT", passport())
        elif slot == "DRIVER":
            d.ent("DRIVER", driver())
        elif slot == "BRN":
            d.ent("BRN", brn())
        elif slot == "IP4":
            d.ent("IP", ipv4())
        elif slot == "IP6":
            d.ent("IP", ipv6())
        elif slot == "ADDRESS":
            d.ent("ADDRESS", address())
        else:
            raise ValueError(slot)
    return d


# Hyphenated RRNs use {RRNH} (half with a valid pre-2020 check digit, half without).
POSITIVE = {
    "RRN": [
        "제 주민번호는 {RRNH}이에요.",
        "주민등록번호: {RRNH}",
        "{name}({RRNH})씨의 신원 확인이 완료되었습니다.",
        "[상담원] 본인 확인을 위해 주민번호 앞뒤 자리 불러주세요. [고객] {RRNH}요.",
        "주민번호 {RRN13}으로 조회했는데 안 나와요",
        "가입자 {name}, 주민등록번호 {RRNH}, 가입일 {date}",
        "생년월일 확인: {RRNM}",
        "혹시 {RRNH} 맞으신가요?",
        "서류에 {RRNH}라고 적혀 있었다.",
        "주민번호는{RRN13}입니다",
        "경찰은 피의자 {name}(주민번호 {RRNH})를 입건했다고 {date} 밝혔다.",
        "신청인 주민등록번호 {RRNM} (뒷자리 마스킹)",
    ],
    "FRN": [
        "외국인등록번호 {FRN}로 등록되어 있습니다.",
        "외국인 근로자 {name}의 등록번호는 {FRN}이다.",
        "등록번호: {FRN} (외국인)",
        "[고객] 외국인등록증 번호가 {FRN}인데 인증이 안 돼요.",
        "유학생 외국인등록번호 {FRN}, 체류기간 {date}까지",
        "외국인등록번호는{FRN}입니다",
        "본인확인 번호 {FRN} 확인했습니다.",
    ],
    "PHONE": [
        "제 번호는 {PHONE}이야",
        "연락처: {PHONE}",
        "{PHONE}로 문자 주세요~",
        "배송 기사님 번호 {PHONE}으로 연락 부탁드립니다.",
        "번호는{PHONE}이에요",
        "[상담원] 회신받으실 번호 말씀해 주세요. [고객] {PHONE}입니다.",
        "문의는 {PHONE}(평일 9시~18시)",
        "{name} 대리 {PHONE}, 팀장 {PHONE}",
        "사무실 {PHONE}에서 전화가 왔다.",
        "급하면 {PHONE}까지 연락줘",
        "보호자 연락처 {PHONE} / 비상연락 {PHONE}",
    ],
    "EMAIL": [
        "메일은 {EMAIL}로 보내주세요.",
        "이메일: {EMAIL}",
        "자세한 내용은 {EMAIL}으로 문의 바랍니다.",
        "제 메일주소 {EMAIL}이에요",
        "담당자 {name}({EMAIL})",
        "보도자료 문의: {EMAIL}, {PHONE}",
        "{EMAIL}에서 온 메일을 확인해 주세요.",
        "아이디가 {EMAIL}인데 로그인이 안 돼요",
    ],
    "CARD": [
        "카드번호 {CARD}로 결제해 주세요.",
        "결제 카드: {CARD} (유효기간 12/27)",
        "[고객] 카드 번호는 {CARD}이고요, 할부는 3개월로 해 주세요.",
        "{CARD}번 카드로 {price} 승인되었습니다.",
        "분실한 카드 {CARD}을 정지해 주세요.",
        "카드번호는{CARD}입니다",
        "법인카드 {CARD} 사용 내역 {date}",
    ],
    "ACCOUNT": [
        "{bank} {ACCOUNT}로 입금해 주세요.",
        "입금 계좌: {bank} {ACCOUNT} (예금주 {name})",
        "환불받을 계좌는 {bank} {ACCOUNT}입니다.",
        "{bank} 말고 {bank} {ACCOUNT}으로 보내줘",
        "계좌번호 {bank} {ACCOUNT}, {price} 송금 완료",
        "[상담원] 환불 계좌 알려주세요. [고객] {bank} {ACCOUNT}이요.",
        "{bank} 계좌 {ACCOUNT}에서 자동이체됩니다.",
        "회비는 {bank} {ACCOUNT} {name}에게 보내주세요",
    ],
    "PASSPORT": [
        "여권번호 {PASSPORT}로 예약했습니다.",
        "여권 번호: {PASSPORT}, 만료일 {date}",
        "[고객] 여권번호가 {PASSPORT}인데 항공권 이름이 틀려요.",
        "Passport No. {PASSPORT}",
        "여권({PASSPORT}) 사본을 첨부합니다.",
        "탑승객 {name} 여권번호 {PASSPORT} 확인",
        "여권번호는{PASSPORT}이고 영문 이름은 HONG GILDONG입니다.",
    ],
    "DRIVER": [
        "운전면허번호 {DRIVER}로 본인 인증",
        "면허번호: {DRIVER}",
        "[고객] 운전면허증 번호는 {DRIVER}입니다.",
        "렌터카 예약자 {name}, 운전면허 {DRIVER}, 연락처 {PHONE}",
        "운전면허 번호 {DRIVER}이 맞는지 확인 부탁드려요",
        "면허증({DRIVER}) 앞면 사진을 올려주세요.",
    ],
    "BRN": [
        "사업자등록번호 {BRN}",
        "사업자번호: {BRN} / 대표 {name}",
        "상호 행복상사, 사업자등록번호 {BRN}, 주소 {ADDRESS}",
        "세금계산서 발행용 사업자번호는 {BRN}입니다.",
        "[고객] 사업자등록번호 {BRN}으로 조회해 주세요.",
        "공급자 등록번호 {BRN}",
        "{BRN}로 등록된 업체입니다.",
    ],
    "IP": [
        "접속 IP {IP4}에서 로그인 시도가 있었습니다.",
        "서버 주소는 {IP4}이야",
        "{date} 14:02 {IP4}에서 비정상 접근 차단",
        "IPv6 주소 {IP6}로 접속했습니다.",
        "로그: src={IP4} dst={IP4}",
        "관리자 페이지는 {IP4}:8080으로 들어가면 돼",
        "접속 기록 {IP6}에서 {date}",
        "공유기 IP가 {IP4}로 바뀌었어요",
    ],
    "ADDRESS": [
        "주소는 {ADDRESS}입니다.",
        "배송지: {ADDRESS}",
        "{ADDRESS}로 보내주세요",
        "저희 사무실은 {ADDRESS}에 있어요.",
        "[고객] 배송지를 {ADDRESS}으로 바꿔 주세요.",
        "{name} 님, {ADDRESS} (우편번호 {zip})",
        "집 주소 {ADDRESS}, 연락처 {PHONE}",
        "행사 장소: {ADDRESS} 대강당",
        "{ADDRESS}에서 화재가 발생해 소방당국이 진화 중이다.",
    ],
}

MIXED = [
    "이름: {name}\n주민등록번호: {RRNH}\n휴대폰: {PHONE}\n이메일: {EMAIL}\n주소: {ADDRESS}",
    "[상담 기록 {date}] 고객 {name}, 연락처 {PHONE}, 환불 계좌 {bank} {ACCOUNT}, 주문번호 {order}, 금액 {price}",
    "신청서\n성명 {name}\n외국인등록번호 {FRN}\n여권번호 {PASSPORT}\n연락처 {PHONE}",
    "렌터카 계약서: 운전자 {name} / 운전면허 {DRIVER} / 결제카드 {CARD} / 연락처 {PHONE}",
    "거래처 정보 - 사업자등록번호 {BRN}, 담당 {EMAIL}, 사업장 {ADDRESS}",
    "보안 알림: {date} {IP4}에서 {EMAIL} 계정 로그인 시도",
    "주문 {order} 배송지 {ADDRESS}, 수령인 {name} {PHONE}",
    "회원정보 수정: 이메일 {EMAIL} → {EMAIL}, 휴대폰 {PHONE}",
]

# Hard negatives: no entity. Numbers are drawn so that any checksum fails where the shape
# could pass for an entity.
NEGATIVE_FIXED = [
    "회의는 2024-01-15 오후 3시입니다.",
    "마감일은 2024.01.15까지예요.",
    "총 1,234,500원 결제되었습니다.",
    "조회수 1,234,567회를 기록했다.",
    "누적 관객 10,123,456명 돌파",
    "버전 1.2.3 업데이트 안내",
    "v2.10.4 릴리스 노트",
    "Windows 10.0.19045.3803 빌드",
    "제123조 제2항에 따라",
    "민법 제750조의 불법행위 책임",
    "ISBN 978-89-1234-567-8",
    "ISBN 979-11-6224-123-4 도서",
    "12:30:45에 시작",
    "오전 09:15~10:45 회의",
    "대표번호 1588-1234로 문의하세요",
    "고객센터 1577-0000 (유료)",
    "수신자부담 080-123-4567",
    "2호선 을지로3가역 3번 출구",
    "강남구 테헤란로 일대의 교통이 혼잡하다",
    "서울 올림픽대로 12km 구간에서 정체",
    "경부고속도로 23km 지점 사고",
    "세종대로 사거리에서 집회가 열렸다",
    "국민은행 고객센터 1588-9999",
    "신한은행 2024년 순이익 3조 1,234억원",
    "우리은행 계좌 개설은 2024-03-02부터 가능",
    "카카오뱅크 가입자 2,345만명 돌파",
    "여권 발급 수수료 53,000원",
    "여권 유효기간 10년, 발급 소요 4일",
    "운전면허 시험 합격률 54.3%",
    "면허 갱신 기간 2025.01.01~2025.12.31",
    "사업자 등록 신청은 3일 이내 처리",
    "IP 카메라 4대 설치",
    "모델명 M12345678 정품",
    "상품코드 S20241234 재입고",
    "좌석 R12345678 예매",
    "택배 운송장 번호 6012-3456-7890",
    "송장번호 123456789012",
    "주문번호 2024011512345678",
    "주문번호: 20240115-123456",
    "예약번호 ORD-2024-000123",
    "회원번호 00012345",
    "쿠폰 코드 ABCD-1234-EFGH",
    "시리얼 넘버 X7K9-22QP-0M3L",
    "좋아요 1234567이야",
    "이 글은 3,456,789번 공유됐다",
    "인구 51,712,619명",
    "면적 605.2㎢",
    "3.141592653589793",
    "환율 1,385.50원",
    "코스피 2,654.32 마감",
    "기온 -3.5도",
    "1/4분기 매출 12.3% 증가",
    "사건번호 2023가합12345",
    "2023고단1234 판결",
    "우편번호 06236",
    "학번 2021123456",
    "사번 20240312",
    "제 21대 국회 제410회 본회의",
    "전화 주세요 (번호는 나중에)",
    "메일 주소는 abc 골뱅이 naver 닷컴",
    "user@localhost로 테스트",
    "@naver.com 계정은 안 돼요",
    "이메일은 나중에 알려드릴게요",
    "10.5.3 절을 참고하세요",
    "1.0.0.1.2 버전 체계",
    "시간 12:34:56:78",
    "MAC 00:1A:2B:3C:4D:5E 장비",
    "좌표 37.5665, 126.9780",
    "9월 12일 오후 2시 30분",
    "2024년 3분기 영업이익 1조 2,345억 원",
    "키 178cm 몸무게 72kg",
    "평점 4.5 / 5.0",
    "010이라는 숫자가 적힌 티셔츠",
    "02는 서울 지역번호다",
    "070으로 시작하는 번호는 인터넷 전화다",
    "카드 뒷면 CVC 3자리는 알려주지 마세요",
    "계좌 비밀번호 4자리를 입력하세요",
    "주민등록번호 뒷자리는 절대 공유하지 마세요",
    "여권 사진 규격 3.5cm x 4.5cm",
    "사업자번호 조회 서비스 이용 안내",
    "2024 회계연도 결산 보고",
    "SKU 4006381333931 입고",
    "바코드 8801234567893",
    "계좌 잔액 12,345,678원",
    "누적 다운로드 1,000,000+ 회",
    "제3조(정의) ① 이 법에서 사용하는 용어의 뜻은 다음과 같다.",
    "제15조 제1항 제2호",
    "영업시간 10:00-22:00",
    "2023-2024 시즌 득점 순위",
    "대출 금리 연 4.25~5.10%",
    "로또 1등 번호 3, 11, 15, 29, 35, 44",
    "서울 강남구 역삼동 일대 재개발",
    "경기도 성남시 분당구 소재 기업들",
    "부산 해운대구 해운대해수욕장에서 축제",
    "테헤란로 일대 빌딩 공실률",
    "종로 3가 귀금속 상가",
    "을지로 골목 맛집 투어",
]


def negatives_generated():
    out = []
    # RRN-like with an impossible month or day
    for _ in range(12):
        yy = R.randint(50, 99)
        mm, dd = R.choice([(13, R.randint(1, 28)), (0, R.randint(1, 28)), (2, 30), (4, 31), (R.randint(14, 99), 10)])
        v = "%02d%02d%02d-%s%s" % (yy, mm, dd, R.choice("1234"), digits(6))
        out.append(R.choice(["접수번호 %s 처리 완료", "관리번호 %s", "번호 %s 확인", "%s번 서류"]) % v)
    # Luhn-failing 16-digit numbers in card shape
    for _ in range(12):
        body = R.choice(["4", "53", "94"]) + digits(13)
        body = body[:15]
        c = str((int(luhn_check(body)) + R.randint(1, 9)) % 10)
        num = body + c
        assert not luhn_ok(num)
        sep = R.choice(["-", " "])
        out.append(R.choice(["일련번호 %s", "상품권 번호 %s 사용 완료", "티켓 번호 %s", "시리얼 %s 등록"])
                   % sep.join(num[i:i + 4] for i in range(0, 16, 4)))
    # BRN-shaped numbers failing the checksum, outside any business context
    for _ in range(12):
        out.append(R.choice(["부품 번호 %s", "접수 번호 %s 조회", "문서번호 %s", "관리코드 %s 입력"]) % brn(valid=False))
    # phone-like counts and amounts
    for _ in range(12):
        v = "{:,}".format(R.randint(1000000, 99999999))
        out.append(R.choice(["조회수 %s", "구독자 %s명", "누적 방문자 %s명", "판매량 %s개", "총 %s원"]) % v)
    # dates and times in many forms
    for _ in range(12):
        out.append(R.choice(["%s에 계약했습니다", "발행일 %s", "%s 기준", "작성일: %s"]) % date_s())
    # prices
    for _ in range(10):
        out.append(R.choice(["가격은 %s입니다", "%s 결제 완료", "배송비 %s 별도", "할인가 %s"]) % price())
    # order / tracking / invoice numbers
    for _ in range(12):
        out.append(R.choice(["주문번호 %s", "운송장번호 %s", "송장 %s 배송 시작", "인보이스 %s", "예약번호 %s"]) % order_no())
    # version numbers with four parts that cannot be an address (letter-led or out of range)
    for _ in range(6):
        out.append("v%d.%d.%d.%d 배포" % (R.randint(1, 9), R.randint(0, 20), R.randint(0, 20), R.randint(0, 99)))
    # product codes that look like passports, without a passport context
    for _ in range(8):
        out.append(R.choice(["모델번호 %s 재고 있음", "품번 %s", "제품코드 %s 단종"]) % (R.choice("MSRGD") + digits(8)))
    # 12-digit numbers shaped like licences but outside the region codes
    for _ in range(6):
        out.append("부품 %02d-%s-%s-%s" % (R.choice([30, 45, 51, 77, 89, 99]), digits(2), digits(6), digits(2)))
    # law articles
    for _ in range(6):
        out.append("제%d조 제%d항 제%d호" % (R.randint(1, 999), R.randint(1, 9), R.randint(1, 20)))
    # a bank in the sentence, a number that is not an account
    for _ in range(6):
        out.append(R.choice(["국민은행 %s 기준 금리 발표", "신한은행 %s 지점 통폐합", "농협 %s 조합장 선거"]) % date_s())
    return out


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else "tests/data/pii/ko_pii_testset.jsonl"
    docs = []
    per_type = 6  # rounds over each type's templates
    for typ, templates in POSITIVE.items():
        n = {"RRN": 5, "FRN": 7, "PHONE": 5, "EMAIL": 6, "CARD": 7, "ACCOUNT": 6, "PASSPORT": 7,
             "DRIVER": 8, "BRN": 7, "IP": 6, "ADDRESS": 5}.get(typ, per_type)
        for r in range(n):
            for t in templates:
                docs.append(fill(t, "positive:" + typ))
    for r in range(4):
        for t in MIXED:
            docs.append(fill(t, "mixed"))
    negs = NEGATIVE_FIXED + negatives_generated()
    for t in negs:
        d = Doc("negative")
        d.text(t)
        docs.append(d)
    R.shuffle(docs)
    counts = {}
    with open(out_path, "w", encoding="utf-8") as f:
        for i, d in enumerate(docs):
            text, spans = d.done()
            for s in spans:
                assert text.encode("utf-8")[s["start"]:s["end"]].decode("utf-8")
                counts[s["type"]] = counts.get(s["type"], 0) + 1
            f.write(json.dumps({"id": "ko-%04d" % i, "text": text, "spans": spans, "note": d.note},
                               ensure_ascii=False) + "\n")
    total = sum(counts.values())
    n_neg = sum(1 for d in docs if not d.spans)
    print("%d texts, %d spans, %d hard negatives: %s" % (len(docs), total, n_neg,
                                                        " ".join("%s=%d" % kv for kv in sorted(counts.items()))))


if __name__ == "__main__":
    main()
