from domains.models import DisclosureRun
from domains.services import disclosure_run_start
from domains.tasks import disclosure_lane_process


def process_run(run_id: int) -> DisclosureRun:
    """Work through every lane of a run in this process, as workers would."""
    run = DisclosureRun.objects.get(pk=run_id)
    for lane in range(run.lane_count):
        disclosure_lane_process(run_id, lane)
    run.refresh_from_db()
    return run


def run_now(trigger=DisclosureRun.Trigger.SCHEDULE, **kwargs) -> DisclosureRun:
    return process_run(disclosure_run_start(trigger=trigger, **kwargs).pk)
