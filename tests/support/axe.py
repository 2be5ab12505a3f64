"""axe-core in the browser, offline: the copy bundled in the axe-playwright-python wheel is
injected into the page and run there; nothing is fetched."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

AXE_JS = Path(str(files("axe_playwright_python") / "axe.min.js"))
SERIOUS = ("serious", "critical")


def audit(page, impacts: tuple[str, ...] = SERIOUS) -> list[dict]:
    """The page's axe-core violations of the given impacts: rule id, impact, help and targets."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'wcag22aa', 'best-practice']}})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"]][:5],
            "count": len(v["nodes"]),
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def describe(page_name: str, violations: list[dict]) -> str:
    """One line per violation, for a failing assertion that lists every one by page."""
    return "\n".join(
        f"{page_name}: {v['impact']} {v['id']} ×{v['count']} ({v['help']}) at {v['targets'][:2]}"
        for v in violations
    )
