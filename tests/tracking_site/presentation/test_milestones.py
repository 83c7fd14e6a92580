"""The milestone bar: the usual way, with detours replacing the step where the parcel left it."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from carriers.model import Status, TrackingEvent, parcel_from_events
from tracking_site.presentation.milestones import StepState, milestone_steps
from tracking_site.presentation.status_words import STATUS_LABELS, status_label

START = datetime(2024, 5, 1, 9, tzinfo=UTC)


def parcel_through(*statuses: Status):
    events = [TrackingEvent(START + timedelta(hours=i), s, f"scan {i}") for i, s in enumerate(statuses)]
    return parcel_from_events(carrier="nzpost", tracking_number="CL092594238NZ", events=events)


def states(parcel):
    return [(step.label, step.state) for step in milestone_steps(parcel)]


D, C, P, T = StepState.DONE, StepState.CURRENT, StepState.PROBLEM, StepState.TODO


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        (
            [Status.INFO_RECEIVED],
            [("Label created", C), ("In transit", T), ("Out for delivery", T), ("Delivered", T)],
        ),
        (
            [Status.INFO_RECEIVED, Status.IN_TRANSIT],
            [("Label created", D), ("In transit", C), ("Out for delivery", T), ("Delivered", T)],
        ),
        (
            [Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY],
            [("Label created", D), ("In transit", D), ("Out for delivery", C), ("Delivered", T)],
        ),
        (
            [Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.DELIVERED],
            [("Label created", D), ("In transit", D), ("Out for delivery", D), ("Delivered", D)],
        ),
        (
            [Status.IN_TRANSIT, Status.AWAITING_PICKUP],
            [("Label created", D), ("In transit", D), ("Awaiting pickup", C), ("Delivered", T)],
        ),
        (
            [Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.DELIVERY_FAILED],
            [("Label created", D), ("In transit", D), ("Delivery attempt failed", P), ("Delivered", T)],
        ),
        (
            [Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.EXCEPTION],
            [("Label created", D), ("In transit", D), ("Exception", P), ("Delivered", T)],
        ),
        (
            [Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.EXCEPTION, Status.RETURNED],
            [("Label created", D), ("In transit", D), ("Out for delivery", T), ("Returned to sender", P)],
        ),
    ],
)
def test_milestones_follow_the_parcel(history, expected):
    assert states(parcel_through(*history)) == expected


def test_unknown_status_marks_no_step():
    assert {state for _, state in states(parcel_through(Status.UNKNOWN))} == {T}


def test_every_step_says_its_state_in_words_and_an_icon():
    steps = milestone_steps(parcel_through(Status.IN_TRANSIT, Status.DELIVERY_FAILED))
    assert [step.state_words for step in steps] == ["done", "done", "needs attention", "not yet"]
    assert [step.icon for step in steps] == ["✓", "✓", "!", "○"]


def test_every_status_has_a_translated_label():
    assert set(STATUS_LABELS) == set(Status)
    with translation.override("nl"):
        labels = {status: status_label(status) for status in Status}
    assert labels[Status.DELIVERED] == "Bezorgd"
    with translation.override("en"):
        english = {status: status_label(status) for status in Status}
    assert all(labels[status] != english[status] for status in Status), labels
    assert status_label("no-such-status") == "Status unknown"


def test_the_bar_marks_the_step_needing_attention_as_current_and_says_every_state_in_words():
    steps = milestone_steps(parcel_through(Status.IN_TRANSIT, Status.DELIVERY_FAILED))
    template = Template("{% load tracking %}{% milestones steps compact=True %}")
    with translation.override("nl"):
        html = template.render(Context({"steps": steps}))

    assert html.startswith('<ol class="milestones milestones-compact" aria-label="Voortgang">')
    items = re.findall(r'<li class="step step-(\w+)"( aria-current="step")?>.*?\((.*?)\)</span></li>', html)
    assert [(state, bool(current)) for state, current, _ in items] == [
        ("done", False),
        ("done", False),
        ("problem", True),
        ("todo", False),
    ]
    assert [words for _, _, words in items] == ["afgerond", "afgerond", "vraagt aandacht", "nog niet"]


def test_the_same_bar_drawn_in_two_languages_says_each_languages_words():
    """A results page draws most bars alike, so each is drawn once per language: never one language's for both."""
    steps = milestone_steps(parcel_through(Status.INFO_RECEIVED, Status.IN_TRANSIT))
    template = Template("{% load tracking %}{% milestones steps %}")
    drawn = {}
    for language in ("en", "nl", "en"):
        with translation.override(language):
            drawn.setdefault(language, []).append(template.render(Context({"steps": steps})))

    assert drawn["en"][0] == drawn["en"][1]
    assert 'aria-label="Progress"' in drawn["en"][0] and "(current step)" in drawn["en"][0]
    assert 'aria-label="Voortgang"' in drawn["nl"][0] and "(current step)" not in drawn["nl"][0]
    assert '<ol class="milestones" ' in drawn["en"][0]  # compact is part of what is drawn, not remembered from before
