"""A starting taxonomy: the brief's four aspects and common categories under each.

It is data: a district edits it in the admin, and the triage engine can load its own.
"""

from django.db import migrations

ASPECTS = [
    ("livelihood", "民生领域", "Livelihood", [
        ("education", "教育", "Education"),
        ("health", "医疗卫生", "Health care"),
        ("social-security", "社会保障", "Social security"),
        ("elderly-care", "养老服务", "Elderly care"),
        ("housing", "住房保障", "Housing"),
        ("food-safety", "食品安全", "Food safety"),
        ("employment", "就业创业", "Jobs and start-ups"),
    ]),
    ("urban", "城市建设管理", "City building and management", [
        ("roads-traffic", "道路交通", "Roads and traffic"),
        ("sanitation", "环境卫生", "Sanitation"),
        ("greening", "园林绿化", "Parks and greenery"),
        ("water-drainage", "供排水", "Water supply and drainage"),
        ("property-management", "物业管理", "Property management"),
        ("illegal-construction", "违章建筑", "Illegal construction"),
        ("noise", "噪音扰民", "Noise"),
        ("parking", "停车管理", "Parking"),
        ("street-lights", "路灯照明", "Street lights"),
    ]),
    ("economy", "经济发展", "Economy", [
        ("business-environment", "营商环境", "Business environment"),
        ("enterprise-services", "企业服务", "Services to enterprises"),
        ("government-promises", "政府失信违诺", "Broken government promises"),
        ("market-regulation", "市场监管", "Market regulation"),
        ("utilities", "水电气暖服务", "Utility services"),
        ("judicial-enforcement", "司法执法环境", "Judicial and enforcement environment"),
    ]),
    ("service", "服务效能与干部作风", "Service efficiency and cadre conduct", [
        ("approval-efficiency", "审批效率", "Approval efficiency"),
        ("window-service", "窗口服务", "Service windows"),
        ("cadre-conduct", "干部作风", "Cadre conduct"),
        ("black-intermediaries", "黑中介", "Black intermediaries"),
        ("inaction", "不作为乱作为", "Inaction and misconduct"),
    ]),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    for a_order, (code, name, name_en, children) in enumerate(ASPECTS):
        aspect, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": a_order * 100}
        )
        for c_order, (child_code, child_name, child_en) in enumerate(children):
            Category.objects.get_or_create(
                code=child_code,
                defaults={
                    "name": child_name,
                    "name_en": child_en,
                    "parent": aspect,
                    "sort_order": a_order * 100 + c_order + 1,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
