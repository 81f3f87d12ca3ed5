"""The replica sites: deterministic, served with the behaviours the crawl tests rely on, and true to
their ground truth (every document the replica says carries a report parses to that report)."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
import yaml
from scrapy.http import HtmlResponse

from pipeline.crawl.sites import load_sites
from pipeline.parse import parse_report
from pipeline.registry import RegistryError
from pipeline.replica import Replica, start_replica
from pipeline.replica.layout import build_layout
from spiders.adapters import ADAPTERS


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    started = start_replica(seed=3, n_reports_per_site=4, workdir=tmp_path_factory.mktemp("replica"))
    yield started
    started.stop()


def fetch(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _fingerprint(seed: int) -> str:
    """Paths and page bytes. DOCX/XLSX bytes are left out: their zip entries carry the time they
    were rendered (their content is checked by parsing, below)."""
    layout = build_layout(seed, 2)
    digest = hashlib.sha256()
    for path in sorted(layout.routes):
        resource = layout.routes[path]
        body = b"" if resource.body.startswith(b"PK") else resource.body
        digest.update(path.encode() + hashlib.sha256(body).digest())
    return digest.hexdigest()


def test_the_layout_depends_on_the_seed_alone() -> None:
    assert _fingerprint(0) == _fingerprint(0)
    assert _fingerprint(0) != _fingerprint(1)


def test_the_registry_loads_only_with_the_replica_host_allowed(replica: Replica) -> None:
    entries = load_sites(replica.registry_path, [replica.host])
    assert {e.id for e in entries} == set(replica.truth)
    with pytest.raises(RegistryError):
        load_sites(replica.registry_path)
    with pytest.raises(ValueError, match="loopback"):
        load_sites(replica.registry_path, ["www.example.com"])
    assert yaml.safe_load(replica.registry_path.read_text(encoding="utf-8"))[0]["start_urls"][0].startswith(
        replica.url
    )


def _document(replica: Replica, site_id: str, shell: str, path: str) -> bytes:
    """A document's bytes: a static route's, or the API answer the site's adapter asks for from the
    shell page that the script of a real browser would fill (Epoint, single-page sites)."""
    if path in replica.layout.routes:
        return replica.layout.routes[path].body
    cms = next(e["cms"] for e in replica.layout.registry if e["id"] == site_id)
    status, headers, body = fetch(replica.url + shell)
    page = HtmlResponse(url=replica.url + shell, body=body, headers=headers)
    (source,) = ADAPTERS[cms].detail_sources(page)
    assert source.url == replica.url + path
    status, _, answer = fetch(source.url, urllib.parse.urlencode(source.formdata).encode())
    assert status == 200
    return answer


def test_every_document_carries_its_report(replica: Replica) -> None:
    for site_id, reports in replica.truth.items():
        for expected in reports:
            for path in expected.documents:
                data = _document(replica, site_id, expected.shell, path)
                report = parse_report(data, url=path)
                facts = {f.key: f.value for f in report.facts}
                truth = expected.truth
                assert report.status == "ok", path
                assert all(facts[k] == truth.expected_value(k) for k in truth.values), path


def test_static_pages_answer_conditional_requests(replica: Replica) -> None:
    url = replica.url + "/trs/zfxxgknb/index.html"
    status, headers, _ = fetch(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert fetch(url, headers={"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, headers={"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert fetch(url, headers={"If-None-Match": '"other"'})[0] == 200


def test_quirky_behaviours(replica: Replica) -> None:
    layout = replica.layout
    flaky = next(p for p, r in layout.routes.items() if r.fail_first)
    assert [fetch(replica.url + flaky)[0] for _ in range(2)] == [500, 200]
    moved = next(p for p, r in layout.routes.items() if r.status == 301)
    request = urllib.request.Request(replica.url + moved)
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=10)
    assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith(replica.url)
    status, _, robots = fetch(replica.url + "/robots.txt")
    assert status == 200 and f"Disallow: {replica.traps['robots_disallowed']}".encode() in robots
    assert fetch(replica.url + "/generic/nb/no-such-page.html")[0] == 404
    challenge = fetch(replica.url + "/challenged/zfxxgknb/index.html")
    assert challenge[0] == 200 and b"document" in challenge[2] and len(challenge[2]) < 2000
    empire = fetch(replica.url + "/empire/e/action/ListInfo/?classid=175")
    assert "gbk" in empire[1]["Content-Type"] and "政府信息公开".encode("gbk") in empire[2]


def test_hanweb_pages_its_records_through_dataproxy(replica: Replica) -> None:
    form = urllib.parse.urlencode({"columnid": "1229", "appid": "1"}).encode()
    url = replica.url + "/hanweb/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=2&perpage=1"
    status, headers, body = fetch(url, data=form)
    assert status == 200 and "xml" in headers["Content-Type"]
    assert body.count(b"<record>") == 2 and b"<totalrecord>" in body


def test_the_calendar_never_ends(replica: Replica) -> None:
    body = fetch(replica.url + replica.traps["calendar"] + "?date=2031-12-31")[2]
    assert b"2032-01-01" in body


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
