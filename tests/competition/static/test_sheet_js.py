"""The score sheet's running total (competition/static/sheet.js), run in Node against a minimal
stand-in for the page's DOM: decimal commas count, invalid or off-scale scores are left out
and named instead of being extrapolated from."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[3] / "competition" / "static" / "sheet.js"

HARNESS = r"""
const fs = require("fs");
const [script, valuesJson, lang] = process.argv.slice(1);
const values = JSON.parse(valuesJson);
function element(extra) {
  const listeners = {};
  const attrs = {};
  return Object.assign({
    dataset: {}, hidden: false, textContent: "",
    addEventListener(type, fn) { (listeners[type] = listeners[type] || []).push(fn); },
    fire(type) { (listeners[type] || []).forEach((fn) => fn({})); },
    setAttribute(name, value) { attrs[name] = value; },
    removeAttribute(name) { delete attrs[name]; },
    attrs,
  }, extra);
}
const names = ["Kebaruan", "Efektivitas", "Keberlanjutan"];
const inputs = names.map((name, i) => element({
  name: "score_" + (i + 1), value: "",
  dataset: { weight: "40", min: "1", max: "100", name },
}));
inputs[2].dataset.weight = "20";
inputs.forEach = Array.prototype.forEach;
const form = element({ querySelectorAll: () => inputs });
const out = element({ dataset: { of: "dari", criteria: "kriteria dinilai" } });
const count = element({});
const invalid = element({ hidden: true, dataset: { ignored: "Tidak dihitung:" } });
const byId = { "sheet-form": form, "running-total": out, "running-count": count,
               "running-invalid": invalid };
global.document = {
  documentElement: { lang },
  getElementById: (id) => byId[id] || null,
  addEventListener() {},
};
eval(fs.readFileSync(script, "utf8"));
values.forEach((v, i) => { inputs[i].value = v; inputs[i].fire("input"); });
console.log(JSON.stringify({
  total: out.textContent, count: count.textContent, invalid: invalid.textContent,
  hidden: invalid.hidden, ariaInvalid: inputs.map((x) => x.attrs["aria-invalid"] || null),
}));
"""


def _run(values, lang="id"):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    done = subprocess.run(
        [node, "-e", HARNESS, str(SCRIPT), json.dumps(values), lang],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return json.loads(done.stdout)


def test_running_total_reads_a_decimal_comma_in_the_page_language():
    result = _run(["78,5", "80.5", ""])
    # (78.5 * 40 + 80.5 * 40) / 80
    assert result["total"] == "79,50" and result["count"].startswith("(2 dari 3")
    assert result["hidden"] is True and result["invalid"] == ""
    assert _run(["78,5", "80.5", ""], lang="en")["total"] == "79.50"


def test_running_total_ignores_invalid_scores_and_names_them():
    result = _run(["85", "150", "7,8,5"])
    assert result["total"] == "85,00" and result["count"].startswith("(1 dari 3")
    assert result["hidden"] is False
    assert "Efektivitas (150)" in result["invalid"] and "Keberlanjutan (7,8,5)" in result["invalid"]
    assert "Kebaruan" not in result["invalid"]
    assert result["ariaInvalid"] == [None, "true", "true"]


def test_running_total_without_a_valid_score_shows_a_dash():
    result = _run(["abc", "", ""])
    assert result["total"] == "–" and "Kebaruan (abc)" in result["invalid"]
