"""Bad line-up input (issue 10): exit status 2, one line on stderr naming the file and the
field, no traceback, nothing written (``scaleup run --out`` and ``scaleup validate``).

Each file is the tiny scenario of tests/conftest.py (one line, 100 cars a day) with a second
product ``suv`` or trims, broken in one place, written into tmp_path as ``bad.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from support.cli_checks import assert_bad_input, assert_no_traceback, cli, stderr_lines

SUV: dict[str, Any] = {
    "launch": {"preorders": 2_000},
    "demand": {"kind": "constant", "orders_per_month": 500},
    "price": {"asp_usd": 40_000},
    "costs": {"components": {"parts": {"kind": "annual_decline", "start_usd": 25_000}}},
}
TRIMS: dict[str, Any] = {
    "price": {},
    "trims": {"std": {"price_usd": 30_000}, "pro": {"price_usd": 36_000}},
    "mix": {"shares": {"std": 0.6, "pro": 0.4}},
}

# name: (changes to the tiny scenario, words the one error line must hold besides the file)
BROKEN: dict[str, tuple[dict[str, Any], list[str]]] = {
    "line_names_an_unknown_product": (
        {"products": {"suv": SUV}, "factory.lines.l1.products": ["car", "nope"]},
        ["factory.lines.l1.products", "nope"],
    ),
    "line_names_a_product_twice": (
        {"products": {"suv": SUV}, "factory.lines.l1.products": ["car", "suv", "car"]},
        ["factory.lines.l1.products", "twice"],
    ),
    "no_line_builds_a_product": (
        {"products": {"suv": SUV}, "factory.lines.l1.products": ["car"]},
        ["factory.lines", "suv"],
    ),
    "mix_shares_do_not_sum_to_one": (
        {**TRIMS, "mix.shares": {"std": 0.6, "pro": 0.5}},
        ["mix", "shares", "sum to 1"],
    ),
    "dated_mix_does_not_sum_to_one": (
        {**TRIMS, "mix.changes": {"2024-03": {"std": 0.5, "pro": 0.4}}},
        ["mix", "changes", "2024-03", "sum to 1"],
    ),
    "second_product_mix_does_not_sum_to_one": (
        {"products": {"suv": {**SUV, **TRIMS, "mix": {"shares": {"std": 0.9, "pro": 0.4}}}}},
        ["products.suv", "mix", "sum to 1"],
    ),
    "mix_names_an_unknown_trim": (
        {**TRIMS, "mix.shares": {"std": 0.6, "prox": 0.4}},
        ["mix", "prox"],
    ),
    "trim_without_a_price": (
        {**TRIMS, "trims.pro": {"battery_kwh": 80}},
        ["trims.pro.price_usd"],
    ),
    "trims_with_price_asp_usd": (
        {**TRIMS, "price": {"asp_usd": 30_000}},
        ["price.asp_usd", "trims"],
    ),
    "second_product_trims_with_price_asp_usd": (
        {"products": {"suv": {**SUV, **{k: v for k, v in TRIMS.items() if k != "price"}}}},
        ["products.suv", "price.asp_usd", "trims"],
    ),
    "priority_names_a_product_twice": (
        {
            "products": {"suv": SUV},
            "factory.allocation": {"policy": "priority", "order": ["suv", "car", "suv"]},
        },
        ["factory.allocation.order", "once"],
    ),
    "priority_names_an_unknown_product": (
        {
            "products": {"suv": SUV},
            "factory.allocation": {"policy": "priority", "order": ["suv", "car", "truck"]},
        },
        ["factory.allocation.order", "truck"],
    ),
    "priority_leaves_a_product_out": (
        {"products": {"suv": SUV}, "factory.allocation": {"policy": "priority", "order": ["suv"]}},
        ["factory.allocation.order", "car"],
    ),
    "shares_name_an_unknown_product": (
        {
            "products": {"suv": SUV},
            "factory.allocation": {
                "policy": "shares",
                "shares": {"car": 0.5, "suv": 0.5, "truck": 0.0},
            },
        },
        ["factory.allocation.shares", "truck"],
    ),
    "shares_leave_a_product_out": (
        {
            "products": {"suv": SUV},
            "factory.allocation": {"policy": "shares", "shares": {"car": 1}},
        },
        ["factory.allocation.shares", "suv"],
    ),
    "shares_do_not_sum_to_one": (
        {
            "products": {"suv": SUV},
            "factory.allocation": {"policy": "shares", "shares": {"car": 0.5, "suv": 0.6}},
        },
        ["factory.allocation.shares", "sum to 1"],
    ),
    "order_without_policy_priority": (
        {
            "products": {"suv": SUV},
            "factory.allocation": {"policy": "backlog", "order": ["car", "suv"]},
        },
        ["factory.allocation.order", "priority"],
    ),
    "second_product_named_like_the_first": (
        {"products": {"car": SUV}},
        ["products", "car"],
    ),
}


def write(tmp_path: Path, tiny_scenario_dict, changes: dict[str, Any]) -> Path:
    data = tiny_scenario_dict(changes)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


COMMANDS = {
    "run": ["run", "bad.yaml", "--out", "out", "--no-figures"],
    "validate": ["validate", "bad.yaml"],
}


THROUGH_VALIDATE = (
    "line_names_an_unknown_product",
    "dated_mix_does_not_sum_to_one",
    "trim_without_a_price",
    "trims_with_price_asp_usd",
    "priority_names_a_product_twice",
    "shares_name_an_unknown_product",
)
"""Every case runs through ``run --out``; these also through ``validate``."""
CASES = [(case, "run") for case in sorted(BROKEN)] + [(c, "validate") for c in THROUGH_VALIDATE]


@pytest.mark.parametrize(("case", "command"), CASES)
def test_bad_lineup_is_one_line_naming_file_and_field(case, command, tmp_path, tiny_scenario_dict):
    changes, words = BROKEN[case]
    write(tmp_path, tiny_scenario_dict, changes)
    line = assert_bad_input(COMMANDS[command], tmp_path, mentions=["bad.yaml", *words])
    assert not (tmp_path / "out").exists(), line


def test_shares_naming_a_product_twice_in_the_file_are_refused(tmp_path, tiny_scenario_dict):
    # a mapping cannot hold a product twice: written twice, the reader refuses the file
    data = tiny_scenario_dict({"products": {"suv": SUV}})
    factory = data.pop("factory")  # written last, so the allocation lands under it
    body = yaml.safe_dump(data, sort_keys=False) + yaml.safe_dump({"factory": factory})
    body += "  allocation:\n    policy: shares\n    shares: {car: 0.5, car: 0.5}\n"
    (tmp_path / "bad.yaml").write_text(body, encoding="utf-8")
    for args in COMMANDS.values():
        assert_bad_input(args, tmp_path, mentions=["bad.yaml", "duplicate key 'car'"])


# ------------------------------------------------------------- valid, but worth a word
AFTER_HORIZON = {
    "second": ({"products": {"suv": {**SUV, "launch": {"date": "2031-01"}}}}, "products.suv"),
    "first": ({"launch.date": "2031-01"}, "launch.date"),
}


@pytest.mark.parametrize("which", sorted(AFTER_HORIZON))
def test_a_launch_after_the_horizon_is_run_with_a_one_line_note(
    which, tmp_path, tiny_scenario_dict
):
    changes, field = AFTER_HORIZON[which]
    write(tmp_path, tiny_scenario_dict, changes)
    proc = cli(["run", "bad.yaml", "--out", "out", "--no-figures"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_no_traceback(proc)
    lines = stderr_lines(proc)
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("scaleup: note: bad.yaml: "), lines[0]
    for word in (field, "2031-01", "after the horizon"):
        assert word in lines[0], (word, lines[0])
    assert (tmp_path / "out").is_dir()


@pytest.mark.parametrize("which", sorted(AFTER_HORIZON))
def test_validate_says_a_launch_is_after_the_horizon_and_passes(
    which, tmp_path, tiny_scenario_dict
):
    changes, field = AFTER_HORIZON[which]
    write(tmp_path, tiny_scenario_dict, changes)
    proc = cli(["validate", "bad.yaml"], tmp_path)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    out = proc.stdout.splitlines()
    assert len(out) == 1 and out[0].startswith("ok: bad.yaml"), proc.stdout
    for word in (field, "2031-01", "after the horizon"):
        assert word in out[0], (word, out[0])


def test_a_launch_within_the_horizon_gets_no_note(tmp_path, tiny_scenario_dict):
    write(
        tmp_path,
        tiny_scenario_dict,
        {"products": {"suv": {**SUV, "launch": {"date": "2024-06-30"}}}},
    )
    proc = cli(["validate", "bad.yaml"], tmp_path)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    assert "note" not in proc.stdout


def test_trims_without_a_price_block_are_valid(tmp_path, tiny_scenario_dict):
    # the schema says the first product's price is "left out with trims": a file with trims and
    # no price key at all must pass (only elasticity would need one)
    data = tiny_scenario_dict(TRIMS)
    del data["price"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    proc = cli(["validate", "bad.yaml"], tmp_path)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
