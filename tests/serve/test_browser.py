"""The web chat at / in a real browser: Debian's headless Chromium driven by Selenium
(through Debian's chromedriver; nothing is downloaded).

- A Korean message typed into the page is sent with Enter and the reply streams in
  (the reply element is seen at several lengths before the end).
- An Enter keydown dispatched with isComposing: true (and one with keyCode 229, as
  browsers report keys during IME composition) sends nothing; a plain Enter then does.
- A reply containing <script> and other markup renders as text: no element is made of
  it and no script runs (--mock-reply makes the server answer with exactly that text).
- The stop button ends a streaming answer, and the server stops generating it.
- The conversation is kept: the second request carries the first turn.
- With an API key set, the page asks for it and then chats with it.

    NURI_BIN=build/nuri .venv/bin/python tests/serve/test_browser.py
"""

import json
import os
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_util as su  # noqa: E402

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None

CHROMIUM = os.environ.get("NURI_CHROMIUM", "/usr/bin/chromium")
DRIVER = os.environ.get("NURI_CHROMEDRIVER", "/usr/bin/chromedriver")
EVIL = ('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
        '<b>굵게</b> & &amp; 안녕하세요! "quoted" \'single\'')
WAIT = 300  # seconds a step may take on a loaded machine before the test gives up


def browser():
    if webdriver is None:
        raise unittest.SkipTest("selenium is not installed")
    for path in (CHROMIUM, DRIVER):
        if not os.path.exists(path):
            raise unittest.SkipTest(f"{path} is missing (Debian packages chromium and chromium-driver)")
    o = Options()
    o.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-default-apps", "--disable-extensions", "--lang=ko-KR", "--window-size=1000,800"):
        o.add_argument(a)
    return webdriver.Chrome(service=Service(DRIVER), options=o)


def model():
    for path in (su.SMOL, su.STORIES):
        if os.path.exists(path):
            return path
    raise unittest.SkipTest("no model: neither models/SmolLM2-135M-Instruct.Q4_1.gguf nor ../shared/models/stories260K.gguf")


def template_args(path):
    return [] if path == su.SMOL else ["--chat-template", "chatml"]


# Records every length the last assistant message has had, and each request body sent.
SPY = """
window.__lengths = [];
window.__bodies = [];
const obs = new MutationObserver(() => {
  const all = document.querySelectorAll('.msg.assistant');
  if (all.length) window.__lengths.push(all[all.length - 1].textContent.length);
});
obs.observe(document.getElementById('messages'), {childList: true, subtree: true, characterData: true});
const f = window.fetch;
window.fetch = (url, opts) => { if (opts && opts.body) window.__bodies.push(opts.body); return f(url, opts); };
"""


class Page(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.servers = []
        self.driver = browser()

    def tearDown(self):
        self.driver.quit()
        shutil.rmtree(self.tmp)
        for s in self.servers:
            s.check_exit(s.stop())

    def serve(self, *args):
        s = su.Server(*args)
        self.servers.append(s)
        return s

    def open_page(self, srv):
        d = self.driver
        d.get(srv.base + "/")
        WebDriverWait(d, WAIT).until(lambda d: d.find_element(By.ID, "model").text not in ("…", ""))
        d.execute_script(SPY)

    def n(self, cls):
        return len(self.driver.find_elements(By.CSS_SELECTOR, ".msg." + cls))

    def wait_idle(self):
        WebDriverWait(self.driver, WAIT).until(
            lambda d: not d.find_elements(By.CSS_SELECTOR, ".msg.assistant.streaming")
            and not d.find_element(By.ID, "send").get_attribute("disabled"))

    def last_reply(self):
        return self.driver.execute_script(
            "const a = document.querySelectorAll('.msg.assistant'); return a.length ? a[a.length - 1].textContent : null;")

    def test_korean_message_streams_a_reply(self):
        m = model()
        srv = self.serve("-m", m, *template_args(m), "-n", "48", "--temp", "0")
        self.open_page(srv)
        self.assertEqual(self.driver.find_element(By.ID, "model").text, os.path.basename(m))
        box = self.driver.find_element(By.ID, "input")
        box.send_keys("안녕하세요! 한국의 수도는 어디인가요?")
        self.assertEqual(box.get_attribute("value"), "안녕하세요! 한국의 수도는 어디인가요?")
        box.send_keys(Keys.ENTER)
        WebDriverWait(self.driver, WAIT).until(lambda d: self.n("user") == 1)
        self.assertEqual(self.driver.find_element(By.CSS_SELECTOR, ".msg.user").text,
                         "안녕하세요! 한국의 수도는 어디인가요?")
        self.wait_idle()
        reply = self.last_reply()
        self.assertTrue(reply, "no reply")
        lengths = set(self.driver.execute_script("return window.__lengths"))
        self.assertGreaterEqual(len(lengths - {0}), 3, f"the reply did not stream: {lengths}")
        body = json.loads(self.driver.execute_script("return window.__bodies[0]"))
        self.assertEqual(body["messages"], [{"role": "user", "content": "안녕하세요! 한국의 수도는 어디인가요?"}])
        self.assertTrue(body["stream"])
        self.assertEqual(self.n("error"), 0)
        self.driver.save_screenshot(os.path.join(os.environ.get("NURI_SCREENSHOTS", self.tmp), "serve_chat.png"))

    def test_enter_during_ime_composition_sends_nothing(self):
        srv = self.serve("-m", model(), "--chat-template", "chatml", "--mock-reply", "네, 알겠습니다.",
                         "--mock-delay", "1")
        self.open_page(srv)
        d = self.driver
        d.execute_script("document.getElementById('input').value = '한글 조합 중';")
        d.execute_script("""
            const el = document.getElementById('input');
            el.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter', isComposing: true,
                                                           bubbles: true, cancelable: true}));
            const e = new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter', bubbles: true, cancelable: true});
            Object.defineProperty(e, 'keyCode', {get: () => 229});
            el.dispatchEvent(e);
        """)
        # send() adds the user's message synchronously, so had either event sent, it would show now
        self.assertEqual(self.n("user"), 0)
        self.assertEqual(d.execute_script("return window.__bodies.length"), 0)
        self.assertEqual(d.find_element(By.ID, "input").get_attribute("value"), "한글 조합 중")
        # the same event without composition sends
        d.execute_script("""
            document.getElementById('input').dispatchEvent(new KeyboardEvent('keydown',
                {key: 'Enter', code: 'Enter', isComposing: false, bubbles: true, cancelable: true}));
        """)
        self.assertEqual(self.n("user"), 1)
        self.wait_idle()
        self.assertEqual(self.last_reply(), "네, 알겠습니다.")

    def test_markup_in_a_reply_renders_as_text(self):
        srv = self.serve("-m", model(), "--chat-template", "chatml", "--mock-reply", EVIL, "--mock-delay", "5")
        self.open_page(srv)
        d = self.driver
        box = d.find_element(By.ID, "input")
        box.send_keys("보여 줘")
        box.send_keys(Keys.ENTER)
        self.wait_idle()
        self.assertEqual(self.last_reply(), EVIL)
        self.assertIsNone(d.execute_script("return window.__pwned === undefined ? null : window.__pwned"))
        msgs = d.find_element(By.ID, "messages")
        for tag in ("script", "img", "b"):
            self.assertEqual(msgs.find_elements(By.TAG_NAME, tag), [], tag)
        shown = d.find_elements(By.CSS_SELECTOR, ".msg.assistant")[-1].text
        self.assertIn("<script>", shown)

    def test_api_key_asked_and_used(self):
        key = "browser-key-0123456789"
        s = su.Server("-m", model(), "--chat-template", "chatml", "--mock-reply", "열쇠 확인", "--mock-delay", "1",
                      env={"NURI_API_KEY": key})
        self.servers.append(s)
        d = self.driver
        d.get(s.base + "/")
        WebDriverWait(d, WAIT).until(lambda d: d.find_element(By.ID, "api-key").is_displayed())
        d.find_element(By.ID, "api-key").send_keys(key)
        d.find_element(By.ID, "save-key").click()
        WebDriverWait(d, WAIT).until(lambda d: d.find_element(By.ID, "model").text == os.path.basename(model()))
        box = d.find_element(By.ID, "input")
        box.send_keys("안녕")
        box.send_keys(Keys.ENTER)
        self.wait_idle()
        self.assertEqual(self.last_reply(), "열쇠 확인")
        self.assertEqual(self.n("error"), 0)

    def test_stop_button_and_conversation(self):
        reply = " ".join(f"단어{i}" for i in range(300))
        srv = self.serve("-m", model(), "--chat-template", "chatml", "--mock-reply", reply, "--mock-delay", "30",
                         "--parallel", "1")
        self.open_page(srv)
        d = self.driver
        box = d.find_element(By.ID, "input")
        box.send_keys("첫 질문")
        box.send_keys(Keys.ENTER)
        WebDriverWait(d, WAIT).until(lambda d: len(self.last_reply() or "") > 20)
        d.find_element(By.ID, "stop").click()
        self.wait_idle()
        partial = self.last_reply()
        self.assertTrue(reply.startswith(partial))
        self.assertLess(len(partial), len(reply))
        srv.wait_metric("nuri_requests_cancelled_total", lambda v: v >= 1, "generation stopped")
        srv.wait_metric("nuri_slots_busy", lambda v: v == 0, "slot free")
        # the next turn carries the first one, with the answer as far as it went
        box.send_keys("둘째 질문")
        box.send_keys(Keys.ENTER)
        WebDriverWait(d, WAIT).until(lambda d: d.execute_script("return window.__bodies.length") == 2)
        d.find_element(By.ID, "stop").click()
        self.wait_idle()
        body = json.loads(d.execute_script("return window.__bodies[1]"))
        self.assertEqual([m["role"] for m in body["messages"]], ["user", "assistant", "user"])
        self.assertEqual(body["messages"][0]["content"], "첫 질문")
        self.assertEqual(body["messages"][1]["content"], partial)
        self.assertEqual(body["messages"][2]["content"], "둘째 질문")


if __name__ == "__main__":
    su.main()
