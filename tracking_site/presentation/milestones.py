"""The milestone bar: where a parcel is on its way, at a glance, with detours shown distinctly."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from carriers.model import Parcel, Status
from tracking_site.presentation.status_words import status_label


class StepState(enum.StrEnum):
    DONE = "done"
    CURRENT = "current"
    PROBLEM = "problem"  # the parcel left the usual way here: exception, failed delivery, returned
    TODO = "todo"


# Words for screen readers and print: the state is never told by colour alone.
STATE_WORDS = {
    # Translators: a milestone's state, read out in brackets after its name: "In transit (done)".
    StepState.DONE: _("done"),
    StepState.CURRENT: _("current step"),
    StepState.PROBLEM: _("needs attention"),
    StepState.TODO: _("not yet"),
}
STATE_ICONS = {StepState.DONE: "✓", StepState.CURRENT: "●", StepState.PROBLEM: "!", StepState.TODO: "○"}

USUAL_WAY = (Status.INFO_RECEIVED, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY, Status.DELIVERED)
# How far along the usual way each status means the parcel got.
PROGRESS = {
    Status.INFO_RECEIVED: 0,
    Status.IN_TRANSIT: 1,
    Status.OUT_FOR_DELIVERY: 2,
    Status.AWAITING_PICKUP: 2,
    Status.DELIVERY_FAILED: 2,
    Status.DELIVERED: 3,
}


@dataclass(frozen=True)
class MilestoneStep:
    label: str
    state: StepState

    @property
    def state_words(self) -> str:
        return str(STATE_WORDS[self.state])

    @property
    def icon(self) -> str:
        return STATE_ICONS[self.state]


def furthest_step(parcel: Parcel) -> int:
    """The furthest usual step any event reached (-1 when none did): a returned parcel keeps its history."""
    reached = [PROGRESS[event.status] for event in parcel.events if event.status in PROGRESS]
    if parcel.status in PROGRESS:
        reached.append(PROGRESS[parcel.status])
    return max(reached, default=-1)


def milestone_steps(parcel: Parcel) -> list[MilestoneStep]:
    """Four steps along the usual way; the current status replaces the step where the parcel left it."""
    labels = [status_label(status) for status in USUAL_WAY]
    states = [StepState.TODO] * len(USUAL_WAY)
    status = parcel.status
    if status is Status.UNKNOWN:
        return [MilestoneStep(label, state) for label, state in zip(labels, states, strict=True)]
    reached = furthest_step(parcel)
    if status is Status.RETURNED:
        here, state = len(USUAL_WAY) - 1, StepState.PROBLEM
    elif status is Status.EXCEPTION:
        here, state = min(reached + 1, len(USUAL_WAY) - 1), StepState.PROBLEM
    else:
        here = PROGRESS[status]
        state = StepState.PROBLEM if status is Status.DELIVERY_FAILED else StepState.CURRENT
    if status not in USUAL_WAY:
        labels[here] = status_label(status)
    for index in range(min(here, reached + 1)):
        states[index] = StepState.DONE
    states[here] = StepState.DONE if status is Status.DELIVERED else state
    return [MilestoneStep(label, state) for label, state in zip(labels, states, strict=True)]
