"""How much of the state the registry covers: entries by level and province against the totals that
the GB/T 2260 region codes give (31 provinces, 333 prefecture-level units, 2,845 county-level units
in the newest revision).

A government counts as covered when an entry of its level carries its region code (or a code under
it: a city's general office is the city's). Departments and townships have no national total; they
are counted. Entries without a region code (the State Council's departments) form the 中央 row.

After the table, the scopes issue 12 asks to be complete, each as covered/total with the missing
named: the provincial governments, the capitals and sub-provincial cities, and the State Council's
departments; the last two lists live in pipeline/data/scopes.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from pipeline import regions
from pipeline.registry import SiteEntry
from pipeline.summary import display_width, pad

# Regions of GB/T 2260 outside the mainland reporting system (Article 50 binds mainland agencies).
_OUTSIDE = frozenset({"71", "81", "82"})
CENTRAL = "中央"


@dataclass
class ProvinceCoverage:
    name: str
    code: str  # two-digit prefix; "" for the central government's departments
    province: bool = False  # the provincial government (or its general office) has an entry
    cities: set[str] = field(default_factory=set)  # prefecture codes with a city-level entry
    counties: set[str] = field(default_factory=set)  # county codes with a county-level entry
    departments: int = 0
    townships: int = 0
    cities_total: int = 0
    counties_total: int = 0
    entries: int = 0  # registry entries in this province, of any level


def _current_regions() -> list[regions.Region]:
    return [
        r for runs in regions._regions().values() for r in runs if r.current and r.code[:2] not in _OUTSIDE
    ]


def coverage(entries: Iterable[SiteEntry]) -> list[ProvinceCoverage]:
    """One row per province (code order), then the 中央 row."""
    rows: dict[str, ProvinceCoverage] = {}
    for r in _current_regions():
        if r.level == "province":
            rows[r.code[:2]] = ProvinceCoverage(name=r.name, code=r.code[:2])
    for r in _current_regions():
        row = rows[r.code[:2]]
        if r.level == "city":
            row.cities_total += 1
        elif r.level == "county":
            row.counties_total += 1
    central = ProvinceCoverage(name=CENTRAL, code="")
    for entry in entries:
        code = entry.region_code or ""
        row = rows.get(code[:2], central) if code else central
        row.entries += 1
        if entry.level == "department":
            row.departments += 1
        elif entry.level == "township":
            row.townships += 1
        elif entry.level == "province" and code:
            row.province = True
        elif entry.level == "city" and code:
            row.cities.add(code[:4])
        elif entry.level == "county" and code:
            row.counties.add(code)
    return [*(rows[k] for k in sorted(rows)), central]


def format_coverage(rows: list[ProvinceCoverage]) -> str:
    """The coverage table as aligned text, with a totals line."""
    header = ("province", "gov", "cities", "counties", "depts", "towns", "entries")
    lines = [header]
    for row in rows:
        lines.append(
            (
                row.name,
                ("yes" if row.province else "no") if row.code else "-",
                f"{len(row.cities)}/{row.cities_total}" if row.code else "-",
                f"{len(row.counties)}/{row.counties_total}" if row.code else "-",
                str(row.departments),
                str(row.townships),
                str(row.entries),
            )
        )
    provinces = [r for r in rows if r.code]
    lines.append(
        (
            "total",
            f"{sum(r.province for r in provinces)}/{len(provinces)}",
            f"{sum(len(r.cities) for r in provinces)}/{sum(r.cities_total for r in provinces)}",
            f"{sum(len(r.counties) for r in provinces)}/{sum(r.counties_total for r in provinces)}",
            str(sum(r.departments for r in rows)),
            str(sum(r.townships for r in rows)),
            str(sum(r.entries for r in rows)),
        )
    )
    widths = [max(display_width(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(pad(cell, w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


# --- scopes --------------------------------------------------------------------------------------

SCOPE_KINDS = {
    "cities": frozenset({"capital", "sub_provincial"}),
    "state_council": frozenset(
        {
            "general_office",
            "component",
            "special",
            "directly_affiliated",
            "administrative_office",
            "public_institution",
            "national_bureau",
        }
    ),
}
# A registry agency may qualify its name: 北京市人民政府（首都之窗 公开年报）.
_QUALIFIER = re.compile(r"[（(][^（）()]*[）)]$")


class ScopeError(ValueError):
    """pipeline/data/scopes.yaml is malformed; the message names the entry."""


@dataclass(frozen=True)
class ScopeUnit:
    """One body a scope must cover: a city (with its region code) or a State Council office."""

    name: str
    kinds: tuple[str, ...]
    code: str | None = None  # GB/T 2260, for cities
    reports: bool = True  # bound to publish a report (false: listed, never counted missing)


@dataclass(frozen=True)
class ScopeCoverage:
    label: str
    covered: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.missing)


@cache
def scope_units(scope: str) -> tuple[ScopeUnit, ...]:
    """The units of one scope of pipeline/data/scopes.yaml ("cities" or "state_council")."""
    text = resources.files("pipeline.data").joinpath("scopes.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    items = data.get(scope) if isinstance(data, dict) else None
    if scope not in SCOPE_KINDS or not isinstance(items, list) or not items:
        raise ScopeError(f"pipeline/data/scopes.yaml: no list {scope!r}")
    units = tuple(_scope_unit(scope, item, n) for n, item in enumerate(items, start=1))
    names = [u.name for u in units]
    if len(set(names)) != len(names):
        raise ScopeError(f"pipeline/data/scopes.yaml: {scope}: a name is listed twice")
    return units


def _scope_unit(scope: str, item: Any, number: int) -> ScopeUnit:
    where = f"pipeline/data/scopes.yaml: {scope} #{number}"
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise ScopeError(f"{where}: expected a mapping with a `name`")
    kinds = item.get("kinds", [item.get("kind")])
    if not isinstance(kinds, list) or not kinds or not set(kinds) <= SCOPE_KINDS[scope]:
        raise ScopeError(f"{where} ({item['name']}): unknown kind {kinds!r}")
    code = item.get("code")
    if scope == "cities" and not (isinstance(code, str) and re.fullmatch(r"\d{4}00", code)):
        raise ScopeError(f"{where} ({item['name']}): a city needs its six-digit code, got {code!r}")
    reports = item.get("reports", True)
    if not isinstance(reports, bool):
        raise ScopeError(f"{where} ({item['name']}): `reports` must be true or false")
    return ScopeUnit(name=item["name"], kinds=tuple(kinds), code=code, reports=reports)


def agency_name(agency: str) -> str:
    """A registry agency without its trailing （…） qualifier, as the scopes list it."""
    return _QUALIFIER.sub("", agency.strip()).strip()


def scope_coverage(entries: Iterable[SiteEntry], rows: list[ProvinceCoverage]) -> list[ScopeCoverage]:
    """The provincial governments (from the table's rows), the capitals and sub-provincial cities
    (a city-level entry with the city's code), and the State Council's offices (an entry without a
    region code whose agency is the office's full name)."""
    entries = list(entries)
    provinces = [r for r in rows if r.code]
    cities = {e.region_code[:4] for e in entries if e.level == "city" and e.region_code}
    central = {agency_name(e.agency) for e in entries if not e.region_code}
    city_units = scope_units("cities")
    offices = [u for u in scope_units("state_council") if u.reports]
    return [
        ScopeCoverage(
            "provincial governments",
            tuple(r.name for r in provinces if r.province),
            tuple(r.name for r in provinces if not r.province),
        ),
        ScopeCoverage(
            "capitals and sub-provincial cities",
            tuple(u.name for u in city_units if u.code and u.code[:4] in cities),
            tuple(u.name for u in city_units if not (u.code and u.code[:4] in cities)),
        ),
        ScopeCoverage(
            "State Council departments",
            tuple(u.name for u in offices if u.name in central),
            tuple(u.name for u in offices if u.name not in central),
        ),
    ]


def format_scopes(scopes: list[ScopeCoverage]) -> str:
    """One line per scope, `label covered/total`, then the missing by name on an indented line."""
    lines: list[str] = []
    for scope in scopes:
        lines.append(f"{scope.label} {len(scope.covered)}/{scope.total}")
        if scope.missing:
            lines.append("  missing: " + ", ".join(scope.missing))
    return "\n".join(lines)


def write_chart(rows: list[ProvinceCoverage], path: str | Path) -> Path:
    """A PNG with one bar group per province: share of its prefecture cities and of its counties
    with an entry, and whether the provincial government has one, so gaps show at a glance."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    provinces = [r for r in rows if r.code]
    _use_cjk_font(font_manager, plt)
    fig, ax = plt.subplots(figsize=(9, 10), dpi=100)
    ys = range(len(provinces))
    city_share = [len(r.cities) / r.cities_total if r.cities_total else 0 for r in provinces]
    county_share = [len(r.counties) / r.counties_total if r.counties_total else 0 for r in provinces]
    ax.barh([y - 0.2 for y in ys], city_share, height=0.4, label="prefecture cities", color="#3b6ea5")
    ax.barh([y + 0.2 for y in ys], county_share, height=0.4, label="counties / districts", color="#e39b3b")
    for y, row in zip(ys, provinces, strict=True):
        ax.text(
            1.01,
            y,
            "gov" if row.province else "no gov",
            va="center",
            fontsize=7,
            color="#2a7a2a" if row.province else "#b22222",
        )
    ax.set_yticks(list(ys), [r.name for r in provinces], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("share of governments with a registry entry")
    total = sum(r.entries for r in rows)
    ax.set_title(f"nianbao registry coverage ({total} entries)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


def _use_cjk_font(font_manager: ModuleType, plt: ModuleType) -> None:
    """Province names need a CJK font: Noto CJK (installed by the Makefile) when present."""
    for font in font_manager.fontManager.ttflist:
        if "CJK" in font.name:
            plt.rcParams["font.family"] = font.name
            return
