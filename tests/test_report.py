"""`langseg report`: the aggregates equal `langseg stats`, the sample is deterministic and bounded, every
piece of document text is escaped; in a real headless Chromium, what a user sees."""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from langseg.cli import main
from langseg.report import SHOWN_CHARS, ReportBuilder, render

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

GERMAN = "Die Stadt plant neue Radwege entlang des Flusses, und die Arbeiten beginnen im Frühjahr."
ENGLISH = "The museum will stay open late on Fridays during the whole summer season this year."
SPANISH = "Utilizamos cookies propias y de terceros para mejorar nuestros servicios y su experiencia."
FRENCH = "Le conseil municipal a voté hier soir le budget de la nouvelle médiathèque du quartier."
HOSTILE = ('</textarea><script>alert("pwned")</script><img src=x onerror="alert(2)"> '
           '"onload="alert(3)" <a href="javascript:alert(4)">click</a> <style>body{display:none}</style> '
           + ENGLISH + "\n" + "W" * 3000)


def _corpus_rows() -> list[dict]:
    texts = [f"{SPANISH}\n\n{ENGLISH}", GERMAN, FRENCH, f"{GERMAN}\n\n{FRENCH}", HOSTILE, ENGLISH,
             f"{ENGLISH}\n{SPANISH}\n{GERMAN}"]
    rows = [{"id": f"doc-{i}", "text": text} for i, text in enumerate(texts)]
    rows.append({"id": '<b id="x">bold id</b>', "text": GERMAN})
    rows.append({"id": "no-text", "body": "x"})  # an error record
    return rows


def _record(lang: str, start: int, end: int, score: float = 0.9, mixed: bool = False, **more) -> dict:
    return {"id": more.get("id", "x"), "length": end, "language": lang, "mixed": mixed, "languages": {lang: 1.0},
            "spans": [{"start": start, "end": end, "lang": lang, "score": score}]}


class _Stats(HTMLParser):
    """The `data-stat` values of the page's summary."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if "data-stat" in found:
            self._open = found["data-stat"]
            if "data-value" in found:
                self.values[self._open] = found["data-value"]

    def handle_data(self, data: str) -> None:
        if self._open and self._open not in self.values:
            self.values[self._open] = data
        self._open = None


def test_the_sample_is_deterministic_stratified_and_bounded() -> None:
    def build() -> ReportBuilder:
        builder = ReportBuilder(per_language=2, mixed=3, lowest=2)
        for i in range(3000):
            lang = ("de", "fr", "en")[i % 3]
            builder.add(_record(lang, 0, 10, score=0.5 + (i % 97) / 200), "x" * 10)
        for i in range(50):
            builder.add({**_record("de", 0, 10), "mixed": True, "languages": {"de": 0.5, "en": 0.5}}, "y" * 10)
        return builder

    first, second = build().sample(), build().sample()
    assert [doc.number for doc in first] == [doc.number for doc in second]
    assert len(first) <= 3 * 2 + 3 + 2
    reasons = {reason for doc in first for reason in doc.reasons}
    assert {"mixed", "monolingual de", "monolingual fr", "monolingual en", "among the lowest-scoring spans"} <= reasons
    lowest = [doc for doc in first if "among the lowest-scoring spans" in doc.reasons]
    assert all(doc.spans[0].score == 0.5 for doc in lowest)


def test_a_long_text_is_shown_in_part_with_its_spans_clipped() -> None:
    builder = ReportBuilder()
    text = "a" * (SHOWN_CHARS + 500) + " " + "b" * 100
    builder.add({**_record("en", 0, SHOWN_CHARS + 500), "length": len(text),
                 "spans": [{"start": 0, "end": SHOWN_CHARS + 500, "lang": "en", "score": 0.9},
                           {"start": SHOWN_CHARS + 501, "end": len(text), "lang": "de", "score": 0.9}]}, text)
    [doc] = builder.sample()
    assert doc.truncated and len(doc.spans) == 1 and len(doc.spans[0].text) == SHOWN_CHARS


@pytest.mark.parametrize("piece", ['<script>alert("pwned")</script>', "</textarea>", '"onload="alert(3)"',
                                   '<a href="javascript:alert(4)">', '<b id="x">'])
def test_document_text_and_ids_are_escaped(piece: str) -> None:
    builder = ReportBuilder()
    text = f"{piece} {ENGLISH}"
    builder.add({**_record("en", 0, len(text), id=piece), "id": piece}, text)
    page = render(builder)
    body = page.split("<h2>Sample of documents</h2>", 1)[1].rsplit("<script>", 1)[0]
    assert piece not in body
    assert "&lt;" in body or "&#34;" in body


@pytest.mark.model
def test_report_summary_equals_stats_on_raw_and_tagged_input(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row) + "\n" for row in _corpus_rows()), encoding="utf-8")
    runner = CliRunner()
    stats = json.loads(runner.invoke(main, ["stats", str(corpus), "--json"]).stdout)
    raw = tmp_path / "raw.html"
    assert runner.invoke(main, ["report", str(corpus), "-o", str(raw)]).exit_code == 0
    tagged = tmp_path / "tagged.jsonl"
    assert runner.invoke(main, ["tag", str(corpus), "--keep-fields", "-o", str(tagged)]).exit_code == 0
    from_tagged = tmp_path / "tagged.html"
    assert runner.invoke(main, ["report", str(tagged), "-o", str(from_tagged)]).exit_code == 0
    for page in (raw, from_tagged):
        parser = _Stats()
        parser.feed(page.read_text(encoding="utf-8"))
        shown = parser.values
        for key in ("documents", "errors", "mixed", "characters_in_spans"):
            assert int(shown[key].replace(",", "")) == stats[key], key
        for key in ("mixed_share", "switches_per_document"):
            assert float(shown[key]) == pytest.approx(stats[key]), key
    assert raw.read_text(encoding="utf-8").count('class="span"') == from_tagged.read_text(encoding="utf-8").count(
        'class="span"'), "the tagged records' kept text gives the same sample"
    assert "http://" not in raw.read_text(encoding="utf-8") and "https://" not in raw.read_text(encoding="utf-8")


def _browser():
    """A headless Chromium driven through its driver, or a skip saying what is missing."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not browser or not driver_path:
        pytest.skip("no Chromium and ChromeDriver (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1800",
                     "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver_path))


@pytest.mark.model
def test_what_a_user_sees_in_a_browser(tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    rows = _corpus_rows()
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    page = tmp_path / "report.html"
    runner = CliRunner()
    assert runner.invoke(main, ["report", str(corpus), "-o", str(page)]).exit_code == 0
    stats = json.loads(runner.invoke(main, ["stats", str(corpus), "--json"]).stdout)
    records = {r["id"]: r for r in map(json.loads, runner.invoke(main, ["tag", str(corpus)]).stdout.splitlines())}
    texts = {row["id"]: row.get("text") for row in rows}

    driver = _browser()
    try:
        driver.get(page.as_uri())
        with pytest.raises(NoAlertPresentException):
            driver.switch_to.alert  # noqa: B018 - nothing in any document ran
        # the summary a user reads is `langseg stats`'
        shown = {el.get_attribute("data-stat"): el.text for el in driver.find_elements(By.CSS_SELECTOR, "[data-stat]")}
        assert int(shown["documents"].replace(",", "")) == stats["documents"]
        assert int(shown["mixed"].replace(",", "")) == stats["mixed"]
        assert int(shown["characters_in_spans"].replace(",", "")) == stats["characters_in_spans"]
        # every sampled document's coloured spans are exactly its spans, over exactly their text
        articles = driver.find_elements(By.CSS_SELECTOR, "article.doc")
        assert articles
        for article in articles:
            doc_id = article.get_attribute("data-id")
            record, text = records[doc_id], texts[doc_id]
            shown_spans = [(int(el.get_attribute("data-start")), int(el.get_attribute("data-end")),
                            el.get_attribute("data-lang"), el.find_element(By.CSS_SELECTOR, ".t").get_attribute("textContent"))
                           for el in article.find_elements(By.CSS_SELECTOR, ".text .span")]
            expected = [(s["start"], s["end"], s["lang"], text[s["start"]:min(s["end"], SHOWN_CHARS)])
                        for s in record["spans"] if s["start"] < SHOWN_CHARS]
            assert shown_spans == expected, doc_id
            colours = {el.value_of_css_property("border-bottom-color")
                       for el in article.find_elements(By.CSS_SELECTOR, ".text .span")}
            assert len(colours) == len({lang for _s, _e, lang, _t in shown_spans}), "one colour per language"
        hostile = driver.find_element(By.CSS_SELECTOR, 'article[data-id="doc-4"]')
        assert 'alert("pwned")' in hostile.text and "javascript:alert(4)" in hostile.text
        assert not driver.find_elements(By.CSS_SELECTOR, "#sample img, #sample a, #sample textarea, #sample b")
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "report.png"))
        # the filters change what is shown
        total = len(articles)
        Select(driver.find_element(By.ID, "kind-filter")).select_by_value("mixed")
        visible = [a for a in articles if a.is_displayed()]
        assert visible and all(a.get_attribute("data-mixed") == "true" for a in visible) and len(visible) < total
        Select(driver.find_element(By.ID, "kind-filter")).select_by_value("")
        Select(driver.find_element(By.ID, "lang-filter")).select_by_value("fr")
        visible = [a for a in articles if a.is_displayed()]
        assert visible and all("fr" in a.get_attribute("data-langs").split() for a in visible)
        assert driver.find_element(By.ID, "shown-count").text == f"{len(visible)} of {total} shown"
        # hover, or keyboard focus, shows a span's language, score and offsets
        span = next(s for s in driver.find_elements(By.CSS_SELECTOR, "article.doc .span") if s.is_displayed())
        assert re.fullmatch(r"\w+ · score [\d.]+ · characters \d+–\d+", span.get_attribute("title"))
        driver.execute_script("arguments[0].focus()", span)
        shown = driver.execute_script("return getComputedStyle(arguments[0], '::after').content", span)
        assert re.fullmatch(r'"\w+ · score [\d.]+ · \d+–\d+"', shown), shown
        driver.execute_script("arguments[0].blur()", span)
        # a phone's width: nothing runs off the side
        driver.set_window_size(390, 844)
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
        driver.set_window_size(1280, 1800)
        # nothing went wrong and nothing was fetched
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert not errors, errors
        requests = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
        urls = [m["params"]["request"]["url"] for m in requests if m["method"] == "Network.requestWillBeSent"]
        assert all(url.startswith("file:") for url in urls), urls
    finally:
        driver.quit()


def test_browser_tests_say_why_they_skip() -> None:
    if shutil.which("chromium") and shutil.which("chromedriver"):
        assert os.access(shutil.which("chromedriver") or "", os.X_OK)
