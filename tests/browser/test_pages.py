"""How every built-in page looks and reads in Chromium: light, dark, a phone, and axe-core.

Each look (light and dark desktop, a 390x844 phone) visits every page once, writes a
screenshot to tests/browser/screenshots/ (ignored by git) for a person to look at
(``<page>-<look>.png``) and records what the tests below check: computed colours, widths, focus
rings and (light and dark) the axe-core scan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .conftest import SCREENSHOTS, Demo, open_context

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
Axe, AxeResults = axe_playwright.Axe, axe_playwright.AxeResults

#: Every built-in page: name -> path (the 403 page is /admin as Alice, role user).
PAGES = {
    "signin": "/api/auth/signin",
    "signin-error": "/api/auth/signin?error=CredentialsSignin",
    "signin-csrf": "/api/auth/signin?csrf=true",
    "signout": "/api/auth/signout",
    "signout-csrf": "/api/auth/signout?csrf=true",
    "error": "/api/auth/error?error=Verification",
    "verify-request": "/api/auth/verify-request",
    "forbidden": "/admin",
    "confirm-sign-in": "/api/auth/callback/email?token=" + "t" * 43 + "&email=ann@example.com",
}
LOOKS: dict[str, dict[str, Any]] = {
    "light": {"color_scheme": "light", "viewport": {"width": 1280, "height": 800}},
    "dark": {"color_scheme": "dark", "viewport": {"width": 1280, "height": 800}},
    "mobile": {
        "color_scheme": "light",
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}
#: What each page tells about itself once loaded.
FACTS = """() => {
  const style = e => getComputedStyle(e);
  const colours = e => ({bg: style(e).backgroundColor, fg: style(e).color});
  const root = document.documentElement;
  const visible = 'main a, main button, main input:not([type=hidden])';
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    colorScheme: style(root).colorScheme,
    body: colours(document.body),
    card: colours(document.querySelector('.card')),
    fields: [...document.querySelectorAll('input:not([type=hidden])')]
      .map(e => style(e).backgroundColor),
    targets: [...document.querySelectorAll(visible)].map(e => {
      const box = e.getBoundingClientRect();
      return {name: e.textContent.trim() || e.name, x: box.x, width: box.width, height: box.height};
    }),
    rings: [...document.querySelectorAll(visible)].map(e => {
      e.focus();
      const s = style(e);
      const ring = {name: e.textContent.trim() || e.name, style: s.outlineStyle,
                    width: parseFloat(s.outlineWidth), colour: s.outlineColor};
      e.blur();
      return ring;
    }),
  };
}"""

Survey = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def survey(chromium: Any, demo: Demo) -> Callable[[str], Survey]:
    """``survey(look)``: every page visited once in that look (memoized for the module)."""
    done: dict[str, Survey] = {}

    def run(look: str) -> Survey:
        if look not in done:
            done[look] = _visit_every_page(chromium, demo, look)
        return done[look]

    return run


def _visit_every_page(browser: Any, demo: Demo, look: str) -> Survey:
    SCREENSHOTS.mkdir(exist_ok=True)
    context = open_context(browser, demo, **LOOKS[look])
    try:
        scan = look != "mobile"  # the same DOM as light: axe runs in light and dark
        if scan:
            context.add_init_script(script=Axe().axe_script)
        request = context.request  # Alice signs in: the sign-out and 403 pages need her
        token = request.get("/api/auth/csrf").json()["csrfToken"]
        form = {"csrfToken": token, "email": "alice@example.com", "password": "alice-password"}
        request.post("/api/auth/callback/credentials", form=form, max_redirects=0)
        page = context.new_page()
        found: Survey = {}
        for name, path in PAGES.items():
            response = page.goto(path)
            assert response.headers["content-type"].startswith("text/html"), name
            shot = SCREENSHOTS / f"{name}-{look}.png"
            page.screenshot(path=shot, full_page=True, scale="css", animations="disabled")
            facts = page.evaluate(FACTS)
            if scan:
                facts["axe"] = page.evaluate("axe.run({resultTypes: ['violations']})")
            found[name] = facts
        return found
    finally:
        context.close()


def luminance(css: str) -> float:
    """WCAG relative luminance of a computed ``rgb()``/``rgba()`` colour."""
    inside = css[css.index("(") + 1 : css.index(")")].replace("/", ",").split(",")
    channels = [float(c) / 255 for c in inside[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_every_page_fits_a_390x844_phone_without_horizontal_scroll(
    survey: Callable[[str], Survey],
) -> None:
    for name, facts in survey("mobile").items():
        assert facts["clientWidth"] == 390, name
        assert facts["scrollWidth"] <= 390, f"{name} scrolls sideways: {facts['scrollWidth']}px"
        for target in facts["targets"]:
            assert target["x"] >= 0 and target["x"] + target["width"] <= 390, (name, target)
            assert target["height"] >= 44, f"{name}: small touch target {target}"


def test_dark_color_scheme_really_is_dark(survey: Callable[[str], Survey]) -> None:
    """``prefers-color-scheme: dark`` (the demo's theme is ``auto``): dark page, card, fields."""
    for name, facts in survey("dark").items():
        assert luminance(facts["body"]["bg"]) < 0.03, f"{name}: page {facts['body']['bg']}"
        assert luminance(facts["card"]["bg"]) < 0.03, f"{name}: card {facts['card']['bg']}"
        assert luminance(facts["card"]["fg"]) > 0.7, f"{name}: text {facts['card']['fg']}"
        assert facts["colorScheme"] == "dark", name  # native controls and scrollbars too
        for field in facts["fields"]:
            assert luminance(field) < 0.03, f"{name}: input background {field}"


def test_light_color_scheme_is_light(survey: Callable[[str], Survey]) -> None:
    for name, facts in survey("light").items():
        assert luminance(facts["body"]["bg"]) > 0.8, name
        assert luminance(facts["card"]["bg"]) > 0.9, name
        assert luminance(facts["card"]["fg"]) < 0.03, name
        assert facts["colorScheme"] == "light", name


@pytest.mark.parametrize("look", ["light", "dark"])
def test_focus_ring_is_visible_on_every_control(survey: Callable[[str], Survey], look: str) -> None:
    """A 3 px outline with 3:1 contrast against the card (WCAG 1.4.11), which axe cannot see."""
    for name, facts in survey(look).items():
        card = facts["card"]["bg"]
        for ring in facts["rings"]:
            assert ring["style"] != "none" and ring["width"] >= 2, (name, ring)
            assert contrast(ring["colour"], card) >= 3, f"{look} {name}: {ring} on {card}"


@pytest.mark.parametrize("look", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violations(
    survey: Callable[[str], Survey], look: str
) -> None:
    reports = {}
    for name, facts in survey(look).items():
        violations = facts["axe"]["violations"]
        if any(v["impact"] in ("serious", "critical") for v in violations):
            reports[name] = AxeResults(facts["axe"]).generate_report()
    assert not reports, "\n\n".join(f"== {name} ==\n{text}" for name, text in reports.items())


def test_a_long_address_wraps_on_a_phone_403_page(
    new_context: Callable[..., Any], demo: Demo
) -> None:
    """The 403 page names the user: a 70-character address must wrap, not scroll sideways."""
    address = "someone.with.a.really.long.address-" + "x" * 20 + "@mail.example.com"
    context = new_context(**LOOKS["mobile"])
    token = context.request.get("/api/auth/csrf").json()["csrfToken"]
    form = {"csrfToken": token, "email": address}
    context.request.post("/api/auth/signin/email", form=form, max_redirects=0)
    context.request.get(demo.inbox.link_for(address), max_redirects=0)
    page = context.new_page()
    assert page.goto("/admin").status == 403
    page.screenshot(path=SCREENSHOTS / "forbidden-long-address-mobile.png", scale="css")
    assert page.get_by_text(address).is_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1] == 390, widths
