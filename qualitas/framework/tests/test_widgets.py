"""The test app's Widget through the generic API, view and filterset tests: the framework's
machinery on a record type with a number, versions and a state machine."""

import itertools

from qualitas.testing.api import APITests
from qualitas.testing.factories import make_company
from qualitas.testing.filtersets import FilterSetTests
from qualitas.testing.testapp.filtersets import WidgetFilterSet
from qualitas.testing.testapp.models import Widget
from qualitas.testing.views import ModelViewTests

_numbers = itertools.count(1)


def make_widget(**fields):
    number = next(_numbers)
    fields.setdefault("name", f"Widget {number}")
    # Far from the values the update tests set (20), so that an update always changes it.
    fields.setdefault("quantity", 1000 + number)
    return Widget.objects.create(**fields)


class WidgetData:
    model = Widget

    def make_object(self, company=None):
        return make_widget(customer=company)


class TestWidgetAPI(WidgetData, APITests):
    create_data = {
        "name": "Mounting bracket",
        "quantity": 12,
        "due_date": "2027-03-01",
        "specification": "Steel, 3 mm, zinc plated",
    }
    update_data = {"quantity": 20, "specification": "Steel, 4 mm", "due_date": "2027-04-15"}

    def get_create_data(self):
        return {**self.create_data, "customer": make_company(kind="customer").pk}


class TestWidgetViews(WidgetData, ModelViewTests):
    form_data = {
        "name": "Mounting bracket",
        "quantity": 12,
        "due_date": "2027-03-01",
        "specification": "Steel, 3 mm, zinc plated",
    }
    update_form_data = {"quantity": 20, "specification": "Steel, 4 mm"}
    invalid_form_data = {"name": "Bracket", "quantity": "-3"}
    invalid_form_error = "Ensure this value is greater than or equal to 0."

    def get_form_data(self):
        return {**super().get_form_data(), "customer": str(make_company(kind="customer").pk)}


class TestWidgetFilterSet(FilterSetTests):
    filterset = WidgetFilterSet

    def make_records(self):
        self.acme = make_company(name="Acme Dairy", kind="customer")
        self.bolt = make_company(name="Bolt Machining", kind="customer")
        bracket = Widget.objects.create(
            name="Bracket", customer=self.acme, quantity=5, due_date="2027-01-10", specification="Steel"
        )
        hinge = Widget.objects.create(name="Hinge", customer=self.bolt, quantity=50, specification="Brass")
        spring = Widget.objects.create(name="Spring", quantity=500, status="approved")
        bracket_v2 = bracket.create_new_version(specification="Stainless steel")
        return {"bracket": bracket, "hinge": hinge, "spring": spring, "bracket_v2": bracket_v2}

    def cases(self, records):
        bracket = records["bracket"]
        return [
            ({"q": "hinge"}, ["hinge"]),
            ({"q": "brass"}, ["hinge"]),
            ({"q": records["spring"].number}, ["spring"]),
            ({"number": records["hinge"].number}, ["hinge"]),
            ({"name": "Bracket"}, ["bracket", "bracket_v2"]),
            ({"customer": [self.acme.pk]}, ["bracket", "bracket_v2"]),
            ({"customer": [self.acme.pk, self.bolt.pk]}, ["bracket", "bracket_v2", "hinge"]),
            ({"status": ["approved"]}, ["spring"]),
            ({"status": ["draft", "review"]}, ["bracket", "bracket_v2", "hinge"]),
            ({"quantity": 50}, ["hinge"]),
            ({"quantity_min": 50}, ["hinge", "spring"]),
            ({"quantity_max": 50}, ["bracket", "bracket_v2", "hinge"]),
            ({"quantity_min": 6, "quantity_max": 499}, ["hinge"]),
            ({"due_date": "2027-01-10"}, ["bracket", "bracket_v2"]),
            ({"specification": "Brass"}, ["hinge"]),
            ({"version": 2}, ["bracket_v2"]),
            ({"is_current": "false"}, ["bracket_v2"]),
            ({"lineage": str(bracket.lineage)}, ["bracket", "bracket_v2"]),
            ({"previous_version": bracket.pk}, ["bracket_v2"]),
        ]
