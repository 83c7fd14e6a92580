"""The operator's configuration: about twenty variables, tuning in one setting, and a site that will not start on
a misspelled variable, a value of the wrong type or tuning that contradicts itself."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.gunicorn_server import BIN, free_port
from tests.conftest import tune
from tracking_site import checks
from tracking_site.checks import SECTIONS
from tracking_site.environment import Environment, default_workers, parse_tuning, read_environment, unread_variables
from tracking_site.lookup.gatherer import GATHER, LOOKUP
from tracking_site.tuning import Section

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_an_operator_sets_about_twenty_variables():
    assert 25 <= len(Environment.model_fields) <= 32


def test_tuning_is_one_variable_of_section_key_value_items():
    text = "gather.linger_seconds=0.2, breaker.failures=5\nrate_limits.api=10/m"
    assert parse_tuning(text) == {
        "gather": {"linger_seconds": "0.2"},
        "breaker": {"failures": "5"},
        "rate_limits": {"api": "10/m"},
    }


def test_a_tuning_item_that_is_not_section_key_value_is_a_problem(monkeypatch):
    monkeypatch.setenv("TRACKING_TUNING", "gather.linger_seconds")
    problems = read_environment().problems
    assert len(problems) == 1 and problems[0].startswith("TRACKING_TUNING:")
    assert "'gather.linger_seconds' is not section.key=value" in problems[0]


def test_a_variable_of_the_wrong_type_is_named_and_its_default_used(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "two")
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    reading = read_environment()
    assert reading.problems == (
        "TRUSTED_PROXY_COUNT: Input should be a valid integer, unable to parse string as an integer.",
    )
    assert reading.values.TRUSTED_PROXY_COUNT == 0 and reading.values.DJANGO_DEBUG is True


def test_a_problem_never_repeats_the_value_it_refused(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "secret-looking-value")
    assert not any("secret-looking-value" in problem for problem in read_environment().problems)


@pytest.mark.parametrize(
    ("name", "told"),
    [
        (
            "GATHER_LINGER_SECONDS",
            "GATHER_LINGER_SECONDS is no longer read: use TRACKING_TUNING's gather.linger_seconds",
        ),
        ("RATELIMIT_API", "RATELIMIT_API is no longer read: use TRACKING_TUNING's rate_limits.api"),
        ("EMAIL_HOST", "EMAIL_HOST is no longer read: use EMAIL_URL"),
        ("GUNICORN_BIND", "GUNICORN_BIND is no longer read: use gunicorn's own --bind"),
        ("DJANGO_SECERT_KEY", "DJANGO_SECERT_KEY is not a variable this site reads. Did you mean DJANGO_SECRET_KEY?"),
        (
            "NZPOST_CLIENT_SECRETS",
            "NZPOST_CLIENT_SECRETS is not a variable this site reads. Did you mean NZPOST_CLIENT_SECRET?",
        ),
        ("TRACKING_DEMOS", "TRACKING_DEMOS is not a variable this site reads. Did you mean TRACKING_DEMO?"),
    ],
)
def test_a_variable_of_ours_the_site_does_not_read_is_named_with_where_it_went(name, told):
    (problem,) = unread_variables({name: "1"})
    assert problem.startswith(told)


def test_other_programs_variables_are_theirs():
    others = ["DJANGO_SETTINGS_MODULE", "DJANGO_SUPERUSER_PASSWORD", "GUNICORN_CMD_ARGS", "FORWARDED_ALLOW_IPS", "PATH"]
    assert unread_variables(dict.fromkeys(others, "x")) == []


def test_every_retired_variable_is_read_by_no_one():
    from tracking_site.environment import MOVED

    assert not set(MOVED) & set(Environment.model_fields)


def test_environment_problems_are_system_check_errors(settings):
    settings.TRACKING_ENVIRONMENT_PROBLEMS = ["GATHER_QUIET_SECONDS is no longer read: use ..."]
    (error,) = checks.check_environment(None)
    assert error.id == "tracking_site.E010" and error.msg.startswith("GATHER_QUIET_SECONDS")


@pytest.mark.parametrize(
    ("sections", "said"),
    [
        ({"gathr": {"linger_seconds": "1"}}, "TRACKING_TUNING: gathr is not a tuning section (did you mean gather?)."),
        (
            {"gather": {"linger_second": "1"}},
            "TRACKING_TUNING: gather.linger_second is not a tuning value (did you mean gather.linger_seconds?).",
        ),
        ({"breaker": {"failures": "many"}}, "TRACKING_TUNING: breaker.failures: Input should be a valid integer"),
        ({"gather": {"quiet_seconds": "-1"}}, "TRACKING_TUNING: gather.quiet_seconds: Input should be greater than"),
        ({"rate_limits": {"api": "ten a minute"}}, "TRACKING_TUNING: rate_limits.api: Value error, a rate is"),
    ],
)
def test_a_wrong_tuning_section_key_or_value_is_a_system_check_error(settings, sections, said):
    settings.TRACKING_TUNING = sections
    (error,) = checks.check_tuning(None)
    assert error.id == "tracking_site.E011" and error.msg.startswith(said)


@pytest.mark.parametrize(
    ("sections", "said"),
    [
        (
            {"lookup": {"search_deadline_seconds": 1, "wait_seconds": 2}},
            "lookup.search_deadline_seconds (1) is shorter than lookup.wait_seconds (2)",
        ),
        ({"lookup": {"deadline_seconds": 5}}, "lookup.deadline_seconds (5) is shorter than the carriers' read timeout"),
        ({"gather": {"quiet_seconds": 0.2, "linger_seconds": 0.1}}, "gather.linger_seconds (0.1) is shorter than"),
    ],
)
def test_tuning_that_contradicts_itself_is_a_system_check_error(settings, sections, said):
    tune(settings, **sections)
    (error,) = checks.check_tuning(None)
    assert error.id == "tracking_site.E012" and said in error.msg


def test_the_defaults_agree_with_each_other():
    assert checks.check_tuning(None) == [] and checks.check_environment(None) == []


def test_code_reads_tuning_with_the_overrides_settings_hold(settings):
    assert GATHER.current().linger_seconds == 0.1
    tune(settings, gather={"linger_seconds": "0.25"}, lookup={"wait_seconds": 1})
    assert GATHER.current().linger_seconds == 0.25 and LOOKUP.current().wait_seconds == 1.0
    assert GATHER.current().quiet_seconds == 0.02  # the rest keep their defaults


def test_the_checks_know_every_tuning_section_the_site_declares():
    declared = set()
    for path in (ROOT / "tracking_site").rglob("*.py"):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        declared |= {id(value) for value in vars(module).values() if isinstance(value, Section)}
    assert declared == {id(section) for section in SECTIONS}
    assert len({section.name for section in SECTIONS}) == len(SECTIONS)


def test_every_tuning_value_is_in_the_readme_and_every_one_there_exists():
    sections = {section.name: section for section in SECTIONS}
    declared = {f"{name}.{key}" for name, section in sections.items() for key in section.keys}
    table = README[README.index("## Configuration") : README.index("## Following a parcel")]
    documented = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", table)) - {"gunicorn.conf", "environment.py", "tuning.py"}
    documented = {item for item in documented if item.split(".")[0] in sections}
    assert declared == documented


def test_every_operator_variable_is_in_the_readme():
    table = README[README.index("## Configuration") : README.index("## Following a parcel")]
    assert [name for name in Environment.model_fields if f"`{name}`" not in table] == []


def test_gunicorn_and_the_settings_count_workers_and_threads_the_same_way(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "12")
    config: dict[str, object] = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)  # noqa: S102
    assert (config["workers"], config["threads"]) == (3, 12)
    values = read_environment().values
    assert (values.WEB_CONCURRENCY, values.GUNICORN_THREADS) == (3, 12)
    monkeypatch.delenv("WEB_CONCURRENCY")
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), config)  # noqa: S102
    assert config["workers"] == read_environment().values.WEB_CONCURRENCY == default_workers()


def run_site(command: list[str], **environment: str) -> subprocess.CompletedProcess[str]:
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        command,
        env={**inherited, "DJANGO_DEBUG": "1", **environment},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_stops_at_start_naming_the_variable():
    done = run_site([sys.executable, "manage.py", "check"], GATHER_LINGER_SECONDS="0.2")
    assert done.returncode != 0
    assert "GATHER_LINGER_SECONDS is no longer read: use TRACKING_TUNING's gather.linger_seconds" in done.stderr
    assert "Traceback" not in done.stderr


def test_gunicorn_stops_at_start_with_the_checks_words_not_a_traceback():
    port = free_port()
    done = run_site(
        [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "tracking_site.wsgi"],
        TRACKING_TUNING="gather.quiet_seconds=0.5 gather.linger_seconds=0.1",
    )
    assert done.returncode != 0
    assert "The site's configuration has errors; it will not start:" in done.stderr
    assert "tracking_site.E012: TRACKING_TUNING: gather.linger_seconds (0.1) is shorter than" in done.stderr
    assert "Traceback" not in done.stderr
