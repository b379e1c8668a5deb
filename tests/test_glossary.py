"""The glossary and the formula cheat sheet tell the truth.

Glossary (notebooks/glossary.md): enough terms, in order, each used where it says it first
appears, and every glossary link in a lesson lands on an entry. Cheat sheet
(notebooks/cheat-sheet.md): every formula line is evaluated as written (× ÷ − read as Python)
and compared with the engine, on the exchanges' published examples where there is one.
"""
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from crossmargin import Account, Brackets
from crossmargin.engine import formulas, platforms
from crossmargin.lessons import examples, funding, hedging, reserve
from crossmargin.simulation.stats import wilson_interval

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
GLOSSARY = NOTEBOOKS / "glossary.md"
CHEAT_SHEET = NOTEBOOKS / "cheat-sheet.md"
NOT_YET = "not in a lesson yet"
#: Lessons whose first appearances are linked to the glossary (the capstone, the final quiz
#: and lessons being written are not yet).
LINKED_LESSONS = ("00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13")


# -- the glossary ---------------------------------------------------------------------------
def slug(heading):
    """The anchor GitHub (and MyST's heading anchors) give a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def entries():
    parts = re.split(r"^### (.+)$", GLOSSARY.read_text(encoding="utf-8"), flags=re.M)
    out = []
    for heading, body in zip(parts[1::2], parts[2::2]):
        also = re.search(r"^- \*Also\*: (.+)$", body, re.M)
        first = re.search(r"^- \*First appears\*: (.+)$", body, re.M)
        link = re.search(r"\]\((\d\d-[\w-]+\.ipynb)\)", first[1]) if first else None
        out.append({"term": heading.strip(), "slug": slug(heading),
                    "forms": [re.sub(r" \(.*\)$", "", heading.strip())]
                    + ([f.strip() for f in also[1].split(",")] if also else []),
                    "first": first[1] if first else "", "notebook": link[1] if link else None,
                    "definition": body.strip().split("\n\n")[0]})
    return out


def normalized(text):
    """Lower case, links reduced to their text, no emphasis, quotes or hyphens, one space."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text.lower())
    text = re.sub(r"[*_`\"“”]", "", text).replace("-", " ")
    return re.sub(r"\s+", " ", text)


def contains(text, form):
    return re.search(r"(?<!\w)" + re.escape(normalized(form)) + r"(?:s|es)?(?!\w)", text)


def markdown(notebook):
    cells = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
    return [("".join(c["source"])) for c in cells if c["cell_type"] == "markdown"]


def lessons():
    return sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def test_the_glossary_has_at_least_45_terms_in_alphabetical_order():
    terms = [e["term"] for e in entries()]
    assert len(terms) >= 45
    assert len(set(t.lower() for t in terms)) == len(terms), "a term is defined twice"
    assert terms == sorted(terms, key=str.lower)


def test_every_entry_has_a_short_definition_and_says_where_it_first_appears():
    for e in entries():
        sentences = re.findall(r"[.!?](?=\s|$)", e["definition"])
        assert 1 <= len(sentences) <= 3, f"{e['term']}: 1 to 3 sentences ({len(sentences)})"
        assert e["notebook"] or e["first"].startswith(NOT_YET), (
            f"{e['term']}: '*First appears*:' must link a lesson or say '{NOT_YET}'")


def test_the_lesson_named_as_first_appearance_uses_the_term():
    texts = {nb: normalized("\n".join(markdown(nb))) for nb in lessons()}
    for e in entries():
        if e["notebook"]:
            assert e["notebook"] in texts, f"{e['term']}: no lesson {e['notebook']}"
            assert any(contains(texts[e["notebook"]], f) for f in e["forms"]), (
                f"{e['term']}: {e['notebook']} uses none of {e['forms']}")
        else:   # a lesson that starts using the term must be named in the glossary
            using = [nb for nb, text in texts.items()
                     if any(contains(text, f) for f in e["forms"])]
            assert not using, f"{e['term']} is said to be {NOT_YET}, but {using} use it"


def test_the_first_appearance_links_to_the_glossary_in_the_linked_lessons():
    for e in entries():
        nb = e["notebook"]
        if not nb or nb[:2] not in LINKED_LESSONS:
            continue
        cells = markdown(nb)
        if f"](glossary.md#{e['slug']})" in "\n".join(cells):
            continue
        # no link: then the term must appear only where links do not go (the first and last
        # cells, which repeat the metadata; headings; code)
        body = [re.sub(r"^#.*$|`[^`]*`", "", c, flags=re.M) for c in cells[1:-1]]
        assert not any(contains(normalized(c), f) for c in body for f in e["forms"]), (
            f"{nb} uses '{e['term']}' but does not link it to glossary.md#{e['slug']}")


def test_every_glossary_link_in_the_notebooks_lands_on_an_entry():
    anchors = {e["slug"] for e in entries()}
    found = 0
    for nb in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in markdown(nb.name):
            for target in re.findall(r"\]\(glossary\.md#([^)\s]+)\)", cell):
                found += 1
                assert target in anchors, f"{nb.name}: glossary.md#{target} is no entry"
            assert not re.search(r"\]\(glossary\.md\)", cell), f"{nb.name}: link an entry"
    assert found >= 45


def test_the_readme_links_the_glossary_and_the_cheat_sheet():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](notebooks/glossary.md)" in text and "](notebooks/cheat-sheet.md)" in text


# -- the cheat sheet ------------------------------------------------------------------------
def sheet():
    """Every ``name = expression`` line of the cheat sheet's code blocks, as Python."""
    text = CHEAT_SHEET.read_text(encoding="utf-8")
    lines = [line for block in re.findall(r"```text\n(.*?)```", text, re.S)
             for line in block.splitlines() if line.strip()]
    out = {}
    for line in lines:
        name, expression = line.split("#")[0].split("=", 1)
        python = (expression.replace("×", "*").replace("÷", "/").replace("−", "-")
                  .replace("²", "**2"))
        out[name.strip()] = python.strip()
    return out


def formula(name, **values):
    return eval(sheet()[name], {"abs": abs, "min": min, "max": max, "sqrt": math.sqrt},
                values)


def test_the_cheat_sheet_is_one_page_and_every_formula_is_tested():
    text = CHEAT_SHEET.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 100
    tested = set(re.findall(r'formula\("(\w+)"', Path(__file__).read_text(encoding="utf-8")))
    assert set(sheet()) <= tested, f"untested: {sorted(set(sheet()) - tested)}"


# Binance's published cross example (margin-rules.md): wallet, then BTC and ETH longs.
WB = 1_535_443.01
BTC = dict(Q=109.488, EP=32_481.98, MP=31_967.27, MMR=0.025, cum=16_300.0)
ETH = dict(Q=3_683.979, EP=1_456.84, MP=1_335.18, MMR=0.10, cum=135_365.0)


def test_one_position_formulas_on_binances_example():
    for p in (BTC, ETH):
        assert formula("notional", **p) == pytest.approx(formulas.notional(p["Q"], p["MP"]))
        assert formula("upnl", side=1, **p) == pytest.approx(
            formulas.unrealized_pnl("long", p["Q"], p["EP"], p["MP"]))
        assert formula("IM", leverage=20, **p) == pytest.approx(
            formulas.initial_margin(p["Q"], p["MP"], 20))
        assert formula("MM", **p) == pytest.approx(
            formulas.maintenance_margin(p["Q"], p["MP"], mmr=p["MMR"], cum=p["cum"]))
    assert formula("MM", **BTC) == pytest.approx(71_200.81144)         # published
    assert formula("MM", **ETH) == pytest.approx(356_512.508)
    assert round(formula("upnl", side=1, **BTC), 2) == -56_354.57
    assert round(formula("upnl", side=1, **ETH), 2) == -448_192.89


def test_the_cum_rule_builds_every_bracket_of_the_shipped_tables():
    for name in ("BTCUSDT", "ETHUSDT", "BTCUSDT-2021"):
        tiers = Brackets.load(name).tiers
        for (_, _, mmr, cum), (floor, _, mmr_next, cum_next) in zip(tiers, tiers[1:]):
            assert formula("cum_next", cum=cum, floor_next=floor, MMR_next=mmr_next,
                           MMR=mmr) == pytest.approx(cum_next)
    assert formula("cum_next", cum=50, floor_next=250_000, MMR_next=0.01, MMR=0.005) == 1_300
    assert Brackets.load("BTCUSDT-2021").lookup(264_000) == (0.01, 1_300.0)   # Binance's FAQ


def test_the_venues_ratios():
    mm = np.array([500.0, 900.0])
    balance = np.array([10_000.0, 1_000.0])
    assert formula("margin_balance", WB=9_000.0, upnl=-250.0) == formulas.margin_balance(
        9_000.0, -250.0)
    np.testing.assert_allclose(formula("binance_ratio", MM=mm, margin_balance=balance),
                               platforms.binance_margin_ratio(mm, balance))
    np.testing.assert_allclose(
        formula("bybit_mm_rate", MM=mm, margin_balance=balance, haircut_loss=0, order_loss=0),
        platforms.bybit_account_mm_rate(mm, balance))
    assert formula("okx_ratio", equity=1_250, MM=800, fee_to_close=50) == pytest.approx(
        platforms.okx_margin_ratio(1_250, 800, 50))                      # exercise 05.3
    np.testing.assert_allclose(formula("hyperliquid_ratio", MM=mm, account_value=balance),
                               platforms.hyperliquid_margin_ratio(balance, mm))
    account = examples.binance_example()
    s = account.summary()
    ratio = formula("binance_ratio", MM=s["cross_maintenance_margin"],
                    margin_balance=s["cross_margin_balance"])
    assert ratio == pytest.approx(account.margin_ratio()) and round(ratio, 4) == 0.4149
    assert formula("cushion", MM=s["cross_maintenance_margin"], ratio=ratio) == pytest.approx(
        s["cross_margin_balance"] - s["cross_maintenance_margin"])


def test_cross_liquidation_prices_of_binances_example():
    mm = {"BTC": formula("MM", **BTC), "ETH": formula("MM", **ETH)}
    upnl = {"BTC": formula("upnl", side=1, **BTC), "ETH": formula("upnl", side=1, **ETH)}
    account = examples.binance_example()
    for coin, p, other, published in (("BTC", BTC, "ETH", 26_316.89),
                                      ("ETH", ETH, "BTC", 1_153.26)):
        lp = formula("LP", WB=WB, TMM1=mm[other], UPNL1=upnl[other], side=1, **p)
        assert round(lp, 2) == published
        assert lp == pytest.approx(account.liquidation_price(f"{coin}USDT"))


@pytest.mark.parametrize("side", ["long", "short"])
def test_isolated_liquidation_and_bankruptcy_prices(side):
    sign = 1 if side == "long" else -1
    p = dict(Q=2.0, EP=60_000.0, WB=12_000.0, MMR=0.005, cum=50.0, side=sign)
    assert formula("LP", TMM1=0, UPNL1=0, **p) == pytest.approx(formulas.liquidation_price(
        side, 2.0, 60_000.0, 12_000.0, mmr=0.005, cum=50.0))
    assert formula("BP", UPNL1=0, **p) == pytest.approx(
        formulas.bankruptcy_price(side, 2.0, 60_000.0, 12_000.0))
    q = dict(Q=1.0, EP=20_000.0, side=sign, IM_entry=20_000.0 / 50,
             MM_entry=20_000.0 * 0.005, extra_margin=30.0)
    assert formula("bybit_LP", **q) == pytest.approx(platforms.bybit_isolated_liquidation_price(
        side, 1.0, 20_000.0, 50, mmr=0.005, extra_margin=30.0))
    if side == "long":   # Bybit's Example 1, without the extra margin: 19,700
        assert formula("bybit_LP", **dict(q, extra_margin=0.0)) == pytest.approx(19_700)
    assert formula("hyperliquid_LP", Q=0.5, EP=60_000.0, side=sign, margin=3_000.0,
                   MM_entry=0.5 * 60_000.0 / (2 * 40), max_leverage=40) == pytest.approx(
        platforms.hyperliquid_isolated_liquidation_price(side, 0.5, 60_000.0, 3_000.0,
                                                         max_leverage=40))


def test_order_cost_on_binances_example():
    args = dict(Q=1.0, MP=9_259.84, order_price=9_253.30, side=-1)     # a 1 BTC short
    engine = formulas.order_cost("short", 1.0, 9_253.30, 9_259.84, 20)
    open_loss = formula("open_loss", **args)
    assert open_loss == pytest.approx(engine["open_loss"]) and round(open_loss, 2) == 6.54
    cost = formula("cost", leverage=20, open_loss=open_loss, **args)
    assert cost == pytest.approx(engine["cost"])
    assert math.floor(round(cost * 100, 6)) / 100 == 469.20               # FAQ: 462.66 + 6.54


@pytest.mark.parametrize("mark", [57_000.0, 63_000.0])                  # a loss, a profit
@pytest.mark.parametrize("venue", ["binance", "bybit", "hyperliquid"])
def test_max_withdraw_per_venue(venue, mark):
    account = Account(venue=venue)
    account.deposit(10_000)
    account.set_leverage("BTCUSDT", 10)
    account.open("BTCUSDT", "long", 60_000, size=0.5)
    account.mark({"BTCUSDT": mark})
    s = account.summary()
    values = dict(WB=s["cross_wallet_balance"], upnl=s["cross_unrealized_pnl"],
                  IM=s["cross_initial_margin"], MM=s["cross_maintenance_margin"],
                  account_value=s["cross_margin_balance"], position_value=0.5 * mark)
    rules = {"binance": formula("binance_withdraw", **values),
             "bybit": formula("bybit_withdraw", **values),
             "hyperliquid": formula("hyperliquid_withdraw", **values)}
    assert rules[venue] == pytest.approx(account.max_withdraw())
    if venue == "hyperliquid":
        assert formula("hyperliquid_withdraw", **values) == pytest.approx(
            platforms.hyperliquid_max_withdraw(values["account_value"], values["IM"],
                                               values["position_value"]))


def test_a_funding_payment_matches_the_engines_ledger():
    table = funding.holding_cost(days=1).reset_index()
    paid = table[(table.margin_mode == "cross") & (table.day == 1)]["funding"].iloc[0]
    size = 2_000.0 * 20 / 60_000.0                                      # margin x leverage / price
    once = formula("funding", side=1, Q=size, MP=60_000.0, rate=0.0001)
    assert once == pytest.approx(4.0)
    assert -3 * once == pytest.approx(paid)                               # 3 payments a day, paid
    assert formula("funding", side=-1, Q=2.0, MP=3_000.0, rate=0.0003) == pytest.approx(
        -platforms.hyperliquid_funding_payment("short", 2.0, 3_000.0, 0.0003))


def test_collateral_leverage_hedge_and_wilson():
    account = Account()
    account.deposit(0.1, "BTC", price=60_000)
    assert formula("collateral_value", amount=0.1, index_price=60_000, value_ratio=0.95) == \
        pytest.approx(account.summary()["collateral_value"]) == pytest.approx(5_700)
    plan = reserve.PLANS["two bets: long BTC, long SOL"]                 # exercise 11.2's move
    start, end = [60_000.0, 150.0], [57_000.0, 135.0]
    account = reserve.open_plan(plan, reserve.START_PRICES)
    account.mark({"BTCUSDT": end[0], "SOLUSDT": end[1]})
    total = sum(formula("notional", Q=p.contracts, MP=end[n])
                for n, p in enumerate(account.positions().itertuples()))
    lev = formula("effective_leverage", total_notional=total, equity=account.summary()["equity"])
    engine = reserve.effective_leverage(plan, np.array([[start, end]]), ["BTCUSDT", "SOLUSDT"])
    assert lev == pytest.approx(engine["final"].iloc[0]) and round(lev, 1) == 7.4
    assert formula("hedge_ratio_min_variance", rho=0.8, sigma_long=0.03, sigma_short=0.04) == \
        pytest.approx(hedging.min_variance_ratio(0.8)) == pytest.approx(0.6)
    for k, n in ((0, 10), (50, 100), (7, 2_000)):
        centre = formula("wilson_centre", p=k / n, n=n, z=1.959963984540054)
        half = formula("wilson_half", p=k / n, n=n, z=1.959963984540054)
        assert (centre - half, centre + half) == pytest.approx(wilson_interval(k, n), abs=1e-12)
