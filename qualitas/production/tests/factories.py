"""Factories for production and equipment records in tests.

Records that belong to a customer do so the way the models scope them: a part type or routing by
``part_type.customer``, an order by ``customer``, and a work order, its parts and their step log
through the order line (``CustomerOrder`` -> ``CustomerOrderLine`` -> ``WorkOrder`` -> ``Part``).
Routings are released through ``ReleaseProcess``, as a person would release them.
"""

import itertools

from qualitas.accounts.choices import CompanyKindChoices
from qualitas.accounts.models import User
from qualitas.equipment.models import Equipment
from qualitas.production import services
from qualitas.production.actions import ReleaseProcess
from qualitas.production.choices import PartStatusChoices, ProcessStatusChoices, TransitionKindChoices
from qualitas.production.models import (
    CustomerOrder,
    CustomerOrderLine,
    PartType,
    Process,
    Step,
    StepEdge,
    WorkCenter,
)
from qualitas.testing.factories import make_company

_counter = itertools.count(1)

#: The steps of a routing made by ``make_process`` unless told otherwise: a straight line.
STEPS = ("Machine", "Inspect", "Pack")
#: The name of the released routing work orders share when the test does not care which.
SHARED_ROUTING = "Shared routing (tests)"


def release_user():
    """A superuser who releases routings for the factories (made once per test database)."""
    user = User.objects.filter(email="factory-release@example.com").first()
    return user or User.objects.create_superuser(
        email="factory-release@example.com", password="Correct-Horse-Battery-9", full_name="Release Bot"
    )


def make_work_center(**fields):
    number = next(_counter)
    fields.setdefault("code", f"WC-{number:03d}")
    fields.setdefault("name", f"Cell {number}")
    return WorkCenter.objects.create(**fields)


def make_part_type(customer=None, **fields):
    number = next(_counter)
    fields.setdefault("part_number", f"PN-{number:05d}")
    fields.setdefault("name", f"Valve body {number}")
    fields.setdefault("serial_prefix", f"T{number}-")
    return PartType.objects.create(customer=customer, **fields)


def make_process(part_type=None, customer=None, steps=STEPS, edges=True, **fields):
    """A draft routing whose ``steps`` (names) follow each other by "next" edges (no edges with
    ``edges=False``)."""
    fields.setdefault("name", f"Routing {next(_counter)}")
    process = Process.objects.create(part_type=part_type or make_part_type(customer=customer), **fields)
    made = [
        Step.objects.create(process=process, name=name, sequence=10 * index)
        for index, name in enumerate(steps, 1)
    ]
    for source, target in itertools.pairwise(made if edges else ()):
        StepEdge.objects.create(process=process, source=source, target=target)
    return process


def release(process):
    ReleaseProcess(process, release_user()).execute()
    process.refresh_from_db()
    return process


def make_released_process(part_type=None, customer=None, **fields):
    return release(make_process(part_type=part_type, customer=customer, **fields))


def shared_process():
    """One released routing (of a part type no customer owns) for work orders in general."""
    process = Process.objects.filter(
        name=SHARED_ROUTING, status=ProcessStatusChoices.RELEASED, is_archived=False
    ).first()
    return process or make_released_process(name=SHARED_ROUTING)


def make_customer_order(customer=None, **fields):
    customer = customer or make_company(kind=CompanyKindChoices.CUSTOMER)
    return CustomerOrder.objects.create(customer=customer, **fields)


def make_order_line(order=None, customer=None, part_type=None, quantity=5, **fields):
    order = order or make_customer_order(customer=customer)
    fields.setdefault("line_number", order.lines.count() + 1)
    return CustomerOrderLine.objects.create(
        order=order, part_type=part_type or make_part_type(), quantity=quantity, **fields
    )


def make_work_order(customer=None, quantity=1, process=None, **fields):
    """A planned work order with its ``quantity`` parts, made by ``services.create_work_order``;
    for ``customer``'s order when one is given."""
    process = process or shared_process()
    if customer is not None and "order_line" not in fields:
        fields["order_line"] = make_order_line(
            customer=customer, part_type=process.part_type, quantity=quantity
        )
    return services.create_work_order(process.part_type, process, quantity, **fields)


def make_part(customer=None, **fields):
    return make_work_order(customer=customer, quantity=1, **fields).parts.get()


def make_transition(part=None, customer=None, **fields):
    """A step-log entry: the part started its step (written directly; the actions are tested in
    their own modules)."""
    part = part or make_part(customer=customer)
    fields.setdefault("kind", TransitionKindChoices.STARTED)
    fields.setdefault("from_step", part.current_step)
    fields.setdefault("to_step", part.current_step)
    fields.setdefault("status_before", PartStatusChoices.PENDING)
    fields.setdefault("status_after", PartStatusChoices.IN_PROGRESS)
    return part.transitions.create(**fields)


def make_equipment(**fields):
    number = next(_counter)
    fields.setdefault("identifier", f"EQ-{number:04d}")
    fields.setdefault("name", f"Caliper {number}")
    return Equipment.objects.create(**fields)
