"""French number formatting used by every page, the PDF and the tooltips."""

from decimal import Decimal

from django.template import Context, Template

from observatoire.core import formats

NBSP = "\u00a0"
THIN = "\u202f"  # between thousands


def test_percent_points_and_integers_read_the_french_way():
    """53 %, 0,8 point, 10 points, 1 255 — a no-break space before a unit, a narrow one
    between thousands."""
    assert formats.percent(0.5349) == f"53{NBSP}%"
    assert formats.points(0.008) == f"0,8{NBSP}point"
    assert formats.points(0.1, digits=0, signed=True) == f"+10{NBSP}points"
    assert formats.points(-0.02, digits=0, signed=True) == f"−2{NBSP}points"
    assert formats.integer(1255) == f"1{THIN}255"
    assert formats.percent(None) == "—"


def test_template_filters():
    """The filters give the same text in templates."""
    html = Template("{% load barometre_fr %}{{ p|pourcent }} {{ d|points }} {{ n|entier }}").render(
        Context({"p": 0.53, "d": 0.057, "n": 36403})
    )
    assert html == f"53{NBSP}% 5,7{NBSP}points 36{THIN}403"


def test_one_formatting_for_every_app():
    """The shared helpers: at most two decimals, exact decimals, four significant digits."""
    assert formats.number(Decimal("1255.50")) == f"1{THIN}255,5"
    assert formats.number(None) == ""
    assert formats.exact(Decimal("1E+3")) == f"1{THIN}000"
    assert formats.exact(Decimal("-0.0050")) == "-0,005"
    assert formats.approx(0.0631842) == "0,06318"
    assert formats.approx(12345.6) == f"12{THIN}346"
