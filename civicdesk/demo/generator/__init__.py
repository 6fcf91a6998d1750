"""Demo data: the fictional district "示范区", its staff, and two months of opinions and cases.

Every submission and every case change goes through the real services (submission_create,
case_assign, case_accept, …), so the demo shows exactly what the workflow produces. The
services stamp events with the current time; afterwards the generator moves each timeline
into the past with plain UPDATE statements (CaseEvent.save() refuses edits, on purpose).

Everything random comes from one seeded ``random.Random``, and the whole plan is drawn
before the database is touched, so the same seed gives the same district every time.
"""

from civicdesk.demo.generator.load import DemoSummary, load_demo
from civicdesk.demo.generator.organisation import DEMO_PASSWORD
from civicdesk.demo.generator.plan import CHANNEL_COUNTS, EXTERNAL_ID_PREFIX
from civicdesk.demo.generator.plan import _choose_statuses as _choose_statuses
from civicdesk.demo.generator.plan import _draw_specs as _draw_specs
from civicdesk.demo.generator.plan import scaled_counts as scaled_counts
from civicdesk.demo.generator.truth import Truth, read_truth, write_truth

__all__ = [
    "CHANNEL_COUNTS",
    "DEMO_PASSWORD",
    "EXTERNAL_ID_PREFIX",
    "DemoSummary",
    "Truth",
    "load_demo",
    "read_truth",
    "write_truth",
]
