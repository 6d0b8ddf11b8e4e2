from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "qualitas.equipment"
    label = "equipment"
    verbose_name = "Equipment"
