"""The Chinese texts, names and numbers of the demo, drawn from the vocabulary."""

from __future__ import annotations

import random
from decimal import Decimal

from civicdesk.core.credit_code import CREDIT_CODE_ALPHABET, make_credit_code
from civicdesk.demo import vocabulary as v
from civicdesk.demo.generator.specs import Spec


class _Writer:
    """Draws the Chinese texts, names and numbers of the demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.communities = list(v.PLACES)

    def person(self) -> str:
        given = "".join(self.rng.choices(v.GIVEN, k=self.rng.choice([1, 2])))
        return self.rng.choice(v.SURNAMES) + given

    def phone(self) -> str:
        digits = "".join(self.rng.choices("0123456789", k=9))
        return "1" + self.rng.choice("3578") + digits

    def plate(self) -> str:
        # Five characters after the province and city letters, at most two of them letters
        # (I and O are never used), like real Chinese plates.
        chars = self.rng.choices("0123456789", k=5)
        for position in self.rng.sample(range(5), k=self.rng.randint(0, 2)):
            chars[position] = self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
        return "浙A" + "".join(chars)

    def contact_bait(self) -> str:
        """Personal data typed into the text itself, which public redaction has to hide."""
        surname = self.rng.choice(v.SURNAMES)
        return self.rng.choice(
            [
                f"我姓{surname}，电话{self.phone()}。",
                f"联系人：{self.person()}，{self.phone()}。",
                f"有问题请打我电话{self.phone()}，{surname}先生。",
                f"我是{self.person()}，住在这里十几年了。",
            ]
        )

    def opening(self, spec: Spec) -> str:
        if spec.channel in {"chat_group", "self_media"}:
            return ""  # these get their own prefix, written by whoever relays them
        return self.rng.choice(["", "", "", "你好，", "反映一下：", "您好，我想反映个问题，"])

    def credit_code(self) -> str:
        # 9 = registered by market regulation, 1 = enterprise; a fictional area code; random
        # organisation part. make_credit_code adds the check character.
        org = "".join(self.rng.choices(CREDIT_CODE_ALPHABET, k=9))
        return make_credit_code("91" + "330199" + org)

    def enterprise(self) -> str:
        return (
            v.DISTRICT_NAME
            + self.rng.choice(v.ENTERPRISE_PREFIXES)
            + self.rng.choice(v.ENTERPRISE_TRADES)
            + "有限公司"
        )

    def _place_and_problem(self) -> tuple[str, str, v.Problem]:
        """A hot spot (one grievance at one place that many people report) or a random
        grievance at a random place where it can happen; returns (community, place, problem)."""
        if self.rng.random() < v.HOT_SHARE:
            spots = v.HOT_SPOTS
            place, code, _weight = self.rng.choices(spots, [w for _p, _c, w in spots])[0]
            community = next(c for c, (names, _la, _lo) in v.PLACES.items() if place in names)
            return community, place, v.PLACE_PROBLEM_CODES[code]
        problem = self.rng.choice(v.PLACE_PROBLEMS)
        community = self.rng.choice(self.communities)
        places = v.PLACES[community][0]
        if problem.where != "any":
            fitting = [
                p for p in places if p.endswith(v.ESTATE_SUFFIXES) == (problem.where == "estate")
            ]
            places = fitting or places
        return community, self.rng.choice(places), problem

    def place_problem(self, spec: Spec) -> None:
        community, place, problem = self._place_and_problem()
        _places, lat, lon = v.PLACES[community]
        phrase = self.rng.choice(problem.phrases)
        spec.kind = "place"
        spec.category = problem.category
        spec.unit = problem.unit or v.CATEGORY_UNITS[problem.category]
        spec.problem = f"{place}·{problem.code}"
        spec.problem_title = f"{place} · {problem.name}"
        if problem.category in v.NEIGHBOURHOOD_CATEGORIES and self.rng.random() < 0.5:
            # Small local matters are often sorted out by the community or street.
            spec.unit = (
                community if self.rng.random() < 0.6 else community.split("-")[0] + "-street"
            )
        spots = v.ESTATE_SPOTS if place.endswith(v.ESTATE_SUFFIXES) else v.STREET_SPOTS
        spot = self.rng.choice(spots)
        spec.summary = place + spot + phrase
        spec.address = place
        text = self.rng.choice(v.PLACE_TEMPLATES).format(
            opening=self.opening(spec),
            place=place,
            spot=spot,
            phrase=phrase,
            duration=self.rng.choice(v.DURATIONS),
            impact=self.rng.choice(problem.impacts),
            request=self.rng.choice(v.REQUESTS),
        )
        if problem.category == "parking" and self.rng.random() < 0.3:
            text += f"占道车辆的车牌是{self.plate()}。"
        if self.rng.random() < 0.15:
            text += self.contact_bait()
        spec.description = text
        if spec.channel in {"snapshot", "mobile_app"} or self.rng.random() < 0.2:
            spec.latitude = Decimal(f"{lat + self.rng.uniform(-0.004, 0.004):.6f}")
            spec.longitude = Decimal(f"{lon + self.rng.uniform(-0.004, 0.004):.6f}")

    def service_problem(self, spec: Spec) -> None:
        problem = self.rng.choice(v.SERVICE_PROBLEMS)
        phrase = self.rng.choice(problem.phrases)
        spec.kind = "service"
        spec.category = problem.category
        spec.unit = problem.unit or v.CATEGORY_UNITS[problem.category]
        spec.problem = problem.code
        spec.problem_title = problem.name
        spec.summary = phrase
        text = (
            f"{self.opening(spec)}{phrase}，{self.rng.choice(problem.impacts)}，"
            f"{self.rng.choice(v.REQUESTS)}。"
        )
        if self.rng.random() < 0.15:
            text += self.contact_bait()
        spec.description = text

    def window_problem(self, spec: Spec, window: str) -> None:
        if spec.channel == "rating" and self.rng.random() < 0.25:
            spec.kind = "praise"
            spec.category = "window-service"
            spec.unit = "service-center"
            spec.summary = self.rng.choice(v.WINDOW_PRAISE)
            spec.description = f"{window}：{spec.summary}，点个赞！"
            # Praise is no problem, but it is one matter: what people like about a window.
            spec.problem = f"{window}·praise"
            spec.problem_title = f"{window} · 群众点赞"
            return
        problem = self.rng.choice(v.WINDOW_PROBLEMS)
        phrase = self.rng.choice(problem.phrases)
        spec.kind = "window"
        spec.category = problem.category
        spec.unit = problem.unit or v.CATEGORY_UNITS[problem.category]
        spec.problem = f"{window}·{problem.code}"
        spec.problem_title = f"{window} · {problem.name}"
        spec.summary = f"{window}{phrase}"
        errands = v.WINDOW_ERRANDS.get(window) or [
            e for es in v.WINDOW_ERRANDS.values() for e in es
        ]
        spec.description = self.rng.choice(v.WINDOW_TEMPLATES).format(
            window=window,
            errand=self.rng.choice(errands),
            phrase=phrase,
            impact=self.rng.choice(problem.impacts),
            request=self.rng.choice(v.REQUESTS),
        )
        spec.address = "示范区政务服务中心"

    def enterprise_problem(self, spec: Spec) -> None:
        problem = self.rng.choice(v.ENTERPRISE_PROBLEMS)
        phrase = self.rng.choice(problem.phrases)
        impact = self.rng.choice(problem.impacts).format(n=self.rng.randint(2, 9))
        spec.kind = "enterprise"
        spec.category = problem.category
        spec.unit = problem.unit or v.CATEGORY_UNITS[problem.category]
        spec.problem = problem.code
        spec.problem_title = problem.name
        spec.for_enterprise = True
        spec.enterprise_name = self.enterprise()
        spec.enterprise_credit_code = self.credit_code()
        spec.contact_name = self.person()
        spec.contact_phone = self.phone()
        spec.summary = phrase
        spec.description = f"我公司{phrase}，{impact}，{self.rng.choice(v.ENTERPRISE_REQUESTS)}。"
