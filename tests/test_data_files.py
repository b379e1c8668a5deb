"""Instructors' own data files: scenarios, portfolios and bracket tables found through
CROSSMARGIN_DATA_PATH or folder=, loaded like the shipped ones, refused clearly when wrong."""
import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from crossmargin import Order, contract, datafiles, replay, scenarios
from crossmargin.__main__ import main
from crossmargin.engine.brackets import Brackets, available_tables
from crossmargin.errors import InvalidInput
from crossmargin.lessons.examples import (GUIDE_DEPOSIT, GUIDE_MARGIN, Portfolio, list_portfolios,
                                          load_portfolio, open_example, run_example)
from crossmargin.widgets import StopLossLab

HOUR_MS = 3_600_000
T0 = 1_714_525_200_000  # 2024-05-01 01:00 UTC: no funding instant (00/08/16 h) in six hours
CLOSES = [3_000.0, 2_950.5, 2_900.0, 2_820.25, 2_870.0, 2_790.0]


def kline_rows(closes=CLOSES, start=T0):
    """Headerless Binance kline rows (as data.binance.vision ships them), one an hour."""
    return "".join(f"{start + i * HOUR_MS},{c + 5},{c + 20},{c - 20},{c},12.5,"
                   f"{start + (i + 1) * HOUR_MS - 1},37500,100,6.2,18600,0\n"
                   for i, c in enumerate(closes))


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    """An instructor's course-data folder, named by CROSSMARGIN_DATA_PATH."""
    root = tmp_path / "my-course-data"
    for kind in datafiles.KINDS:
        (root / kind).mkdir(parents=True)
    monkeypatch.setenv(datafiles.ENV, str(root))
    return root


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- scenarios


def test_a_new_kline_file_is_listed_loaded_and_replayed(data_root):
    path = write(data_root / "scenarios", "ETHUSDT-1h-2024-05.csv", kline_rows())
    table = scenarios.list_scenarios().set_index("name")
    assert table.loc["ETHUSDT-1h-2024-05", "file"] == str(path)
    assert not table.loc["ETHUSDT-1h-2024-05", "stylized"]

    prices = scenarios.load("ETHUSDT-1h-2024-05")
    assert list(prices.columns) == ["ETHUSDT"]  # symbol from the file name
    assert prices["ETHUSDT"].tolist() == CLOSES
    assert prices.index[0] == pd.Timestamp("2024-05-01 01:00", tz="UTC")
    assert prices.index.name == "timestamp" and prices.index.freq == pd.Timedelta("1h")
    assert prices.attrs["name"] == "ETHUSDT-1h-2024-05" and prices.attrs["file"] == str(path)
    assert scenarios.load("ETHUSDT-1h-2024-05", price="high")["ETHUSDT"].tolist() == [
        c + 20 for c in CLOSES]

    run = replay(prices, [Order("ETHUSDT", "long", margin=1_000, leverage=5)])
    marks = run.timeline[("ETHUSDT", "mark_price")]
    assert marks.tolist() == CLOSES
    size = 1_000 * 5 / CLOSES[0]
    fee = size * CLOSES[0] * contract("ETHUSDT").taker_fee
    expected = 10_000 - fee + size * (CLOSES[-1] - CLOSES[0])
    assert run.timeline[("account", "equity")].iloc[-1] == pytest.approx(expected, abs=1e-6)


def test_a_wide_file_with_its_description(data_root):
    folder = data_root / "scenarios"
    write(folder, "my-crash.csv", "timestamp,BTCUSDT,ETHUSDT\n"
                                  "2024-05-01T01:00:00Z,60000,3000\n"
                                  "2024-05-01T02:00:00Z,54000,2600\n"
                                  "2024-05-01T03:00:00Z,51000,2500\n")
    about = dict(description="A made-up crash for my class.", source="typed by hand",
                 licence="CC BY 4.0", stylized=True)
    write(folder, "my-crash.json", json.dumps(about))
    row = scenarios.list_scenarios().set_index("name").loc["my-crash"]
    assert row["description"] == about["description"] and row["stylized"]
    prices = scenarios.load("my-crash")
    assert prices.to_dict("list") == {"BTCUSDT": [60_000.0, 54_000.0, 51_000.0],
                                      "ETHUSDT": [3_000.0, 2_600.0, 2_500.0]}
    assert {k: prices.attrs[k] for k in about} == about
    # the guide's example on the instructor's path: same entry as the file's first row
    row, runs = run_example(prices, 10)
    btc = runs["isolated"].timeline[("BTCUSDT", "mark_price")]
    assert btc.tolist() == [60_000.0, 54_000.0, 51_000.0]
    assert row["isolated liquidated"] == ["BTCUSDT"]  # -15 % at 10x


def test_a_kline_file_named_freely_takes_its_symbol_from_the_sidecar(data_root):
    folder = data_root / "scenarios"
    write(folder, "week-3-prices.csv", kline_rows())
    with pytest.raises(InvalidInput, match=r"week-3-prices.csv is a kline file.*week-3-prices"
                                           r"\.json"):
        scenarios.load("week-3-prices")
    write(folder, "week-3-prices.json", '{"symbol": "SOLUSDT"}')
    assert list(scenarios.load("week-3-prices").columns) == ["SOLUSDT"]


def test_folder_argument_and_the_stop_loss_lab(tmp_path, monkeypatch):
    monkeypatch.delenv(datafiles.ENV, raising=False)
    closes = [60_000.0, 59_000.0, 56_500.0, 57_000.0, 58_000.0, 58_500.0]
    loose = tmp_path / "loose"
    loose.mkdir()
    write(loose, "BTCUSDT-1h-lab.csv", kline_rows(closes))
    assert "BTCUSDT-1h-lab" not in scenarios.list_scenarios()["name"].tolist()
    assert "BTCUSDT-1h-lab" in scenarios.list_scenarios(folder=loose)["name"].tolist()
    assert scenarios.load("BTCUSDT-1h-lab", folder=loose)["BTCUSDT"].tolist() == closes

    monkeypatch.setenv(datafiles.ENV, str(tmp_path))
    (tmp_path / "scenarios").mkdir()
    (loose / "BTCUSDT-1h-lab.csv").rename(tmp_path / "scenarios" / "BTCUSDT-1h-lab.csv")
    lab = StopLossLab("BTCUSDT-1h-lab", scenario_names=("btc_crash", "BTCUSDT-1h-lab"),
                      stop_distance=5, leverage=10)
    assert list(lab.price_line.y) == closes
    assert lab.outcome.exit == "stop" and lab.outcome.trigger == pytest.approx(57_000)
    assert lab.outcome.exit_price == 56_500  # the path gapped through the stop: filled at 56,500


def test_the_shipped_sample_is_a_file_scenario():
    table = scenarios.list_scenarios().set_index("name")
    assert table.loc["BTCUSDT-1h-sample", "file"] == str(scenarios.SAMPLE_KLINES_CSV)
    assert table.loc["BTCUSDT-1h-sample", "description"].startswith("Synthetic, not market data")
    pd.testing.assert_series_equal(
        scenarios.load("BTCUSDT-1h-sample")["BTCUSDT"],
        scenarios.load_csv(scenarios.SAMPLE_KLINES_CSV, symbol="BTCUSDT")["BTCUSDT"])


BAD_SCENARIOS = [
    ("missing column", "open_time,open,high,low,volume\n" + f"{T0},1,2,0.5,3\n",
     ["line 1", "'close'", "missing column"]),
    ("non-numeric price", kline_rows([3_000.0, 2_990.0]).replace(",2990.0,", ",oops,"),
     ["line 2", "'close'", "'oops' is not a number"]),
    ("duplicate timestamps", kline_rows([3_000.0, 2_990.0]) + kline_rows([2_980.0],
                                                                         T0 + HOUR_MS),
     ["line 3", "'open_time'", "repeats"]),
    ("unsorted times", kline_rows([3_000.0], T0 + HOUR_MS) + kline_rows([2_990.0]),
     ["line 2", "'open_time'", "earlier than"]),
]


@pytest.mark.parametrize("why, text, words", BAD_SCENARIOS, ids=[b[0] for b in BAD_SCENARIOS])
def test_bad_scenario_files_name_file_line_and_column(data_root, why, text, words):
    good = write(data_root / "scenarios", "ETHUSDT-1h-good.csv", kline_rows())
    bad = write(data_root / "scenarios", "ETHUSDT-1h-bad.csv", text)
    for call in (lambda: scenarios.load("ETHUSDT-1h-bad"), scenarios.list_scenarios):
        with pytest.raises(InvalidInput) as err:
            call()
        message = str(err.value)
        assert "ETHUSDT-1h-bad.csv" in message
        for word in words:
            assert word in message
    assert scenarios.load("ETHUSDT-1h-good")["ETHUSDT"].tolist() == CLOSES  # others still load
    bad.unlink()  # nothing was kept from the bad file
    assert scenarios.list_scenarios()["name"].tolist()[-1] == good.stem


def test_a_name_clash_names_both_and_registers_nothing(data_root, tmp_path, monkeypatch):
    path = write(data_root / "scenarios", "btc_crash.csv", kline_rows())
    for call in (lambda: scenarios.load("btc_crash"), scenarios.list_scenarios):
        with pytest.raises(InvalidInput, match="built-in scenario btc_crash") as err:
            call()
        assert str(path) in str(err.value)
    assert scenarios.SCENARIOS["btc_crash"] is scenarios.btc_crash
    path.unlink()
    assert len(scenarios.load("btc_crash")) == 1441

    other = tmp_path / "second"
    (other / "scenarios").mkdir(parents=True)
    first = write(data_root / "scenarios", "ETHUSDT-1h-x.csv", kline_rows())
    second = write(other / "scenarios", "ETHUSDT-1h-x.zip", "not read")
    monkeypatch.setenv(datafiles.ENV, os.pathsep.join([str(data_root), str(other)]))
    with pytest.raises(InvalidInput) as err:
        scenarios.load("ETHUSDT-1h-x")
    assert str(first) in str(err.value) and str(second) in str(err.value)


@pytest.mark.parametrize("sidecar, words", [
    ('{"description": "x", "licence": 4}', ["licence must be non-empty text", "4"]),
    ('{"stylised": true}', ["stylised is not a field", "stylized"]),
    ('{"stylized": "yes"}', ["stylized must be true or false", "'yes'"]),
    ('{"description": "x",\n "source": }', ["line 2, column 12", "valid JSON"]),
])
def test_bad_sidecars_name_the_json_file_and_field(data_root, sidecar, words):
    write(data_root / "scenarios", "ETHUSDT-1h-doc.csv", kline_rows())
    write(data_root / "scenarios", "ETHUSDT-1h-doc.json", sidecar)
    with pytest.raises(InvalidInput) as err:
        scenarios.load("ETHUSDT-1h-doc")
    assert "ETHUSDT-1h-doc.json" in str(err.value)
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize("entry, words", [
    ("no-such-folder", "must be a folder"),
    ("empty", "must hold a scenarios/, portfolios/ or brackets/ folder"),
])
def test_a_wrong_data_path_is_explained(tmp_path, monkeypatch, entry, words):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv(datafiles.ENV, str(tmp_path / entry))
    with pytest.raises(InvalidInput, match=f"CROSSMARGIN_DATA_PATH entry .*{words}"):
        scenarios.list_scenarios()


def test_load_refuses_a_built_in_parameter_for_a_file_and_a_path_as_name(data_root):
    write(data_root / "scenarios", "ETHUSDT-1h-p.csv", kline_rows())
    with pytest.raises(InvalidInput, match="no parameter 'drop'; its parameters: price"):
        scenarios.load("ETHUSDT-1h-p", drop=0.2)
    with pytest.raises(InvalidInput, match="price must be one of"):
        scenarios.load("ETHUSDT-1h-p", price="mid")
    with pytest.raises(InvalidInput, match="without folder or extension"):
        scenarios.load("../scenarios/ETHUSDT-1h-p")


def test_importing_crossmargin_reads_no_data_folder(tmp_path):
    env = dict(os.environ, CROSSMARGIN_DATA_PATH=str(tmp_path / "missing"))
    code = "import crossmargin, crossmargin.lessons.examples, crossmargin.scenarios; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


# --------------------------------------------------------------------------- portfolios

MY_BOOK = {
    "description": "Two longs and a short for my workshop.",
    "deposit": 5_000,
    "positions": [
        {"symbol": "BTCUSDT", "side": "long", "entry_price": 60_000, "margin": 1_000,
         "leverage": 5},
        {"symbol": "ETHUSDT", "side": "short", "entry_price": 3_000, "size": 2,
         "leverage": 10, "margin_mode": "isolated"},
        {"symbol": "SOLUSDT", "side": "long", "entry_price": 150, "notional": 1_500,
         "leverage": 3},
    ],
    "mark_prices": {"BTCUSDT": 57_000, "ETHUSDT": 3_100, "SOLUSDT": 140},
}


def test_a_new_portfolio_is_listed_loaded_opened_and_replayed(data_root):
    path = write(data_root / "portfolios", "my-book.json", json.dumps(MY_BOOK))
    table = list_portfolios().set_index("name")
    assert table.loc["my-book", "file"] == str(path)
    assert table.loc["my-book", "positions"] == "BTCUSDT long, ETHUSDT short, SOLUSDT long"
    assert {"guide-example", "binance-worked-example"} <= set(table.index)

    book = load_portfolio("my-book")
    assert isinstance(book, Portfolio) and book.name == "my-book" and book.deposit == 5_000
    assert book.positions[1] == dict(symbol="ETHUSDT", side="short", entry_price=3_000.0,
                                     size=2.0, margin=None, notional=None, leverage=10.0,
                                     margin_mode="isolated")
    assert load_portfolio(path) == book  # by path as well

    account = book.open_account(marked=False)
    pos = account.positions()
    sizes = {"BTCUSDT": 1_000 * 5 / 60_000, "ETHUSDT": 2.0, "SOLUSDT": 1_500 / 150}
    assert pos["contracts"].to_dict() == pytest.approx(sizes)
    assert pos["margin_mode"].to_dict() == {"BTCUSDT": "cross", "ETHUSDT": "isolated",
                                            "SOLUSDT": "cross"}
    notionals = 1_000 * 5 + 2 * 3_000 + 1_500
    isolated_margin = 2 * 3_000 / 10  # the ETH short's margin leaves the cross wallet
    assert account.summary().wallet_balance == pytest.approx(
        5_000 - notionals * 0.0005 - isolated_margin)
    marked = book.open_account()
    assert marked.positions()["mark_price"].to_dict() == MY_BOOK["mark_prices"]

    write(data_root / "scenarios", "three.csv", "timestamp,BTCUSDT,ETHUSDT,SOLUSDT\n"
          "2024-05-01T01:00Z,60000,3000,150\n2024-05-01T02:00Z,57000,3100,140\n")
    run = replay(scenarios.load("three"), book.orders(), deposit=book.deposit)
    final = run.account.positions()["unrealized_pnl"]
    assert final.to_dict() == pytest.approx({"BTCUSDT": sizes["BTCUSDT"] * -3_000,
                                             "ETHUSDT": 2 * -100.0, "SOLUSDT": 10 * -10.0})


def test_portfolio_overrides_and_contract_changes(data_root):
    book = dict(MY_BOOK, contracts={"BTCUSDT": {"brackets": "BTCUSDT-2021", "taker_fee": 0}})
    write(data_root / "portfolios", "my-book.json", json.dumps(book))
    account = load_portfolio("my-book").open_account(leverage=2, margin=500,
                                                     margin_mode="isolated")
    pos = account.positions()
    assert (pos["leverage"] == 2).all() and (pos["margin_mode"] == "isolated").all()
    assert pos["collateral"].tolist() == pytest.approx([500, 500, 500])
    assert account.contracts["BTCUSDT"].brackets.date == Brackets.load("BTCUSDT-2021").date
    assert account.contracts["BTCUSDT"].taker_fee == 0
    assert list(account.contracts) == ["BTCUSDT", "ETHUSDT", "SOLUSDT"]


def with_position(**changes):
    first = dict(MY_BOOK["positions"][0], **changes)
    return dict(MY_BOOK, positions=[{k: v for k, v in first.items() if v is not None}])


BAD_BOOKS = [
    (dict(MY_BOOK, deposit=-5), ["deposit must be > 0", "-5"]),
    (dict(MY_BOOK, deposit="5000"), ["deposit must be a number", "'5000'"]),  # text, not 5000
    ({k: v for k, v in MY_BOOK.items() if k != "deposit"}, ["deposit is missing"]),
    (dict(MY_BOOK, cash=1), ["cash is not a field", "deposit"]),
    (dict(MY_BOOK, positions=[]), ["positions must be a non-empty list"]),
    (with_position(leverage=0.5), ["positions[0].leverage must be >= 1", "0.5"]),
    (with_position(side="buy"), ["positions[0].side must be 'long' or 'short'", "'buy'"]),
    (with_position(size=1), ["positions[0] must give exactly one of size, margin or notional",
                             "size, margin"]),
    (with_position(levrage=5), ["positions[0].levrage is not a field"]),
    (with_position(symbol="DOGEUSDT"), ["DOGEUSDT", "no contract spec"]),
    (with_position(margin_mode="portfolio"), ["positions[0].margin_mode", "'portfolio'"]),
    (with_position(margin=6_000), ["available balance"]),
    (with_position(leverage=200), ["200x exceeds"]),
    (dict(MY_BOOK, mark_prices={"BTCUSDT": 0}), ["mark_prices.BTCUSDT must be > 0"]),
    (dict(MY_BOOK, contracts={"BTCUSDT": {"taker_fee": 0.05}}),
     ["contracts.BTCUSDT.taker_fee must be a fraction <= 0.01", "0.05"]),
    (dict(MY_BOOK, contracts={"BTCUSDT": {"brackets": "BTCUSDT-1999"}}),
     ["'BTCUSDT-1999' is not shipped"]),
]


@pytest.mark.parametrize("book, words", BAD_BOOKS, ids=[w[0] for _, w in BAD_BOOKS])
def test_bad_portfolio_fields_name_file_field_and_value(data_root, book, words):
    write(data_root / "portfolios", "my-book.json", json.dumps(book))
    for call in (lambda: load_portfolio("my-book"), list_portfolios):
        with pytest.raises(InvalidInput) as err:
            call()
        assert str(err.value).startswith("my-book.json: ")
        for word in words:
            assert word in str(err.value)


def test_bad_portfolio_json_and_clashes(data_root):
    write(data_root / "portfolios", "my-book.json", '{"deposit": 5000,\n "positions": [}')
    with pytest.raises(InvalidInput, match=r"my-book.json line 2, column 16: .*valid JSON"):
        load_portfolio("my-book")
    clash = write(data_root / "portfolios", "guide-example.json", json.dumps(MY_BOOK))
    with pytest.raises(InvalidInput, match="two portfolios are named 'guide-example'") as err:
        load_portfolio("guide-example")
    assert str(clash) in str(err.value) and "data/portfolios/guide-example.json" in str(err.value)
    clash.unlink()
    assert load_portfolio("guide-example").deposit == GUIDE_DEPOSIT
    with pytest.raises(InvalidInput, match="unknown portfolio 'nope'; known portfolios: .*"
                                           "guide-example"):
        load_portfolio("nope")


def test_shipped_portfolios_are_the_module_constants():
    guide = load_portfolio("guide-example")
    assert guide.open_account().positions().equals(open_example(10).positions())
    assert [p["margin"] for p in guide.positions] == [GUIDE_MARGIN, GUIDE_MARGIN]
    binance = load_portfolio("binance-worked-example")
    account = binance.open_account()
    assert round(account.margin_ratio(), 4) == 0.4149
    assert round(account.liquidation_price("BTCUSDT"), 2) == 26_316.89


# --------------------------------------------------------------------------- bracket tables


def my_table(**changes):
    table = {"symbol": "BTCUSDT", "date": "2025-01-15", "source": "my exchange's page",
             "illustrative": False, "tiers": [
                 {"floor": 0, "cap": 100_000, "maintenance_margin_rate": 0.005,
                  "max_leverage": 100, "maintenance_amount": 0},
                 {"floor": 100_000, "cap": 1_000_000, "maintenance_margin_rate": 0.01,
                  "max_leverage": 50, "maintenance_amount": 500}]}
    table.update(changes)
    return table


def test_a_new_bracket_table_is_found_and_used(data_root):
    write(data_root / "brackets", "BTCUSDT-2025.json", json.dumps(my_table()))
    assert "BTCUSDT-2025" in available_tables() and "BTCUSDT" in available_tables()
    table = Brackets.load("BTCUSDT-2025")
    assert table.lookup(150_000) == (0.01, 500.0) and table.max_position_notional == 1_000_000
    spec = contract("BTCUSDT", brackets="BTCUSDT-2025")
    assert spec.brackets.date == "2025-01-15" and spec.max_leverage == 100


@pytest.mark.parametrize("table, words", [
    (my_table(tiers=[{"floor": 0, "maintenance_margin_rate": 0.005, "max_leverage": 100}]),
     ["tiers[0].maintenance_amount is missing"]),
    (my_table(tiers=[{"floor": 0, "maintenance_margin_rate": "0.5%", "max_leverage": 100,
                      "maintenance_amount": 0}]),
     ["tiers[0].maintenance_margin_rate must be a number", "'0.5%'"]),
    (my_table(tiers=[dict(my_table()["tiers"][0]), dict(my_table()["tiers"][1],
                                                          maintenance_amount=400)]),
     ["tier 2: maintenance amount (cum) must be 500.00", "400.00"]),
    (my_table(tiers=[dict(my_table()["tiers"][0], cap=90_000), my_table()["tiers"][1]]),
     ["tiers[0].cap must equal the next tier's floor 100,000", "90,000"]),
])
def test_bad_bracket_tables_name_the_file(data_root, table, words):
    write(data_root / "brackets", "BTCUSDT-2025.json", json.dumps(table))
    with pytest.raises(InvalidInput) as err:
        Brackets.load("BTCUSDT-2025")
    assert str(err.value).startswith("BTCUSDT-2025.json: ")
    for word in words:
        assert word in str(err.value)


def test_a_loaded_table_is_shared_read_only_and_reread_when_the_file_changes(data_root):
    path = write(data_root / "brackets", "BTCUSDT-2025.json", json.dumps(my_table()))
    first = Brackets.load("BTCUSDT-2025")
    assert Brackets.load("BTCUSDT-2025") is first
    with pytest.raises(ValueError, match="read-only"):
        first.maintenance_margin_rates[0] = 0.5
    edited = my_table(date="2025-02-01", source="my exchange's page, revised")
    path.write_text(json.dumps(edited), encoding="utf-8")
    assert Brackets.load("BTCUSDT-2025").date == "2025-02-01"


def test_a_table_named_like_a_shipped_one_is_refused(data_root):
    write(data_root / "brackets", "SOLUSDT.json", json.dumps(my_table(symbol="SOLUSDT")))
    with pytest.raises(InvalidInput, match="two bracket tables are named 'SOLUSDT'"):
        Brackets.load("SOLUSDT")
    with pytest.raises(InvalidInput, match="two bracket tables are named 'SOLUSDT'"):
        available_tables()


# --------------------------------------------------------------------------- checking it all


def test_every_data_file_found_loads():
    """With CROSSMARGIN_DATA_PATH set, `make test` checks the instructor's files too."""
    assert len(scenarios.list_scenarios()) >= len(scenarios.SCENARIOS) + 1
    assert len(list_portfolios()) >= 3
    for name in available_tables():
        Brackets.load(name)


def test_the_check_command(data_root, capsys):
    write(data_root / "scenarios", "ETHUSDT-1h-ok.csv", kline_rows())
    assert main(["data"]) == 0
    out = capsys.readouterr().out
    assert "ETHUSDT-1h-ok" in out and str(data_root / "scenarios") in out
    assert "Every data file loads." in out
    write(data_root / "portfolios", "broken.json", "{")
    assert main(["data"]) == 1
    assert "error: broken.json line 1" in capsys.readouterr().err


def test_values_are_floats_from_the_file(data_root):
    write(data_root / "scenarios", "SOLUSDT-1m-tiny.csv", kline_rows([150.125, 149.875]))
    prices = scenarios.load("SOLUSDT-1m-tiny")
    assert prices.dtypes.tolist() == [np.float64]
    assert np.array_equal(prices.to_numpy().ravel(), [150.125, 149.875])


# --------------------------------------------------------------------------- the guide

GUIDE = datafiles.PACKAGE_DATA.parents[1] / "notebooks" / "adapting-lessons.md"


def test_the_guide_documents_every_field_and_name(monkeypatch):
    from crossmargin.lessons import examples
    from crossmargin.engine import brackets

    monkeypatch.delenv(datafiles.ENV, raising=False)  # the shipped names only

    text = GUIDE.read_text(encoding="utf-8")
    fields = (scenarios.SIDECAR_FIELDS + examples.PORTFOLIO_FIELDS + examples.POSITION_FIELDS
              + examples.CONTRACT_FIELDS + brackets.TABLE_FIELDS + brackets.TIER_FIELDS)
    for name in fields + scenarios.KLINE_COLUMNS:
        assert f"`{name}`" in text, name
    shipped = [*scenarios.SCENARIOS, *scenarios.scenario_files(), *list_portfolios()["name"]]
    for name in shipped + ["CROSSMARGIN_DATA_PATH", "data.binance.vision",
                           "python -m crossmargin data", "python -m crossmargin.course lint",
                           "make test"]:
        assert name in text, name
    for readme in ("scenarios", "portfolios", "brackets"):
        page = datafiles.PACKAGE_DATA / readme / "README.md"
        assert "(../../../notebooks/adapting-lessons.md" in page.read_text(encoding="utf-8")
        assert (page.parent / "../../../notebooks/adapting-lessons.md").resolve() == GUIDE
