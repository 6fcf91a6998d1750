"""The native API, version 1: public reporting and tracking, and token-authenticated staff work
on everything the staff pages do (COVERAGE.md maps each page action to its operation)."""

from ninja import NinjaAPI
from ninja.operation import Operation

from civicdesk.api import (
    bulletins,
    cases,
    catalogue,
    commitments,
    dashboard,
    evaluation,
    imports,
    ledgers,
    notifications,
    problems,
    questionnaires,
    ratings,
    reports,
    submissions,
    triage,
    workorders,
)
from civicdesk.api.bounds import bound_integers
from civicdesk.api.errors import install_handlers
from civicdesk.api.parser import CivicdeskParser
from civicdesk.applications.api import router as hall_router
from civicdesk.appraisal.api import router as appraisal_router
from civicdesk.evaluation.api import praise_router
from civicdesk.evaluation.api import router as visits_router
from civicdesk.integrity.api import router as integrity_router
from civicdesk.knowledge.api import router as knowledge_router
from civicdesk.moderation.api import router as moderation_router
from civicdesk.nearby.api import router as nearby_router
from civicdesk.supervision.api import router as supervision_router
from civicdesk.training.api import router as training_router


class CivicdeskAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The handler's own name ("list_measures"), not ninja's module path: generated clients
        # name their functions after it, so it must read well and stay put when code moves.
        # The OpenAPI test checks that the names are unique.
        return operation.view_func.__name__


api = CivicdeskAPI(
    version="1",
    parser=CivicdeskParser(),
    urls_namespace="api-v1",
    title="civicdesk API",
    description=(
        "Report problems and follow them by tracking code (no account needed), and do the "
        "staff's work with a staff API token sent as `Authorization: Bearer <token>`: a token "
        "acts as its user, with that user's role and unit. Error bodies have a `detail`: a "
        "sentence in the language of `Accept-Language`, or for 422 a list of "
        "`{type, loc, msg}` whose `msg` starts with the field name; integers must fit in 64 "
        "bits (the database's range), larger ones are a 422. 401: no valid token; "
        "404: no such object, or not one the caller may see; 403: the caller sees it but "
        "their role may not do this; 409: a rule of the app refuses it as things stand; "
        "413: the body is too large."
    ),
)
install_handlers(api)
api.add_router("/", submissions.router)
api.add_router("/cases", cases.router)
api.add_router("/problems", problems.router)
api.add_router("/triage", triage.router)
api.add_router("/", commitments.router)
api.add_router("/ledgers", ledgers.router)
api.add_router("/reports", reports.router)
api.add_router("/ratings", ratings.router)
api.add_router("/evaluation", evaluation.router)
api.add_router("/catalogue", catalogue.router)
api.add_router("/dashboard", dashboard.router)
api.add_router("/bulletins", bulletins.router)
api.add_router("/questionnaires", questionnaires.router)
api.add_router("/imports", imports.router)
api.add_router("/notifications", notifications.router)
api.add_router("/hall", hall_router)
api.add_router("/integrity", integrity_router)
api.add_router("/", workorders.router)
api.add_router("/supervision", supervision_router)
api.add_router("/visits", visits_router)
api.add_router("/praise", praise_router)
api.add_router("/knowledge", knowledge_router)
api.add_router("/appraisal", appraisal_router)
api.add_router("/training", training_router)
api.add_router("/nearby", nearby_router)
api.add_router("/moderation", moderation_router)
# Last, once every operation exists: integers past the database's range become a 422.
bound_integers(api)
