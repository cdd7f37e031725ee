"""Celery entrypoints for triggers: thin, each calls one service; all safe to run twice."""

from celery import shared_task


@shared_task(name="triggers.tick", ignore_result=True, soft_time_limit=50, time_limit=60)
def tick_task() -> dict:
    """Fire due schedules and send due polls (beat runs this every second)."""
    from apps.triggers.scheduler import trigger_tick_window

    result = trigger_tick_window()
    return {"fired": result.fired, "skipped": result.skipped, "polls": result.polls}


@shared_task(name="triggers.tick_helper", ignore_result=True, soft_time_limit=50, time_limit=60)
def tick_helper_task() -> dict:
    """An extra tick a busy tick asked for: shares a burst of due schedules."""
    from apps.triggers.scheduler import tick_helper_done, trigger_tick

    try:
        result = trigger_tick(fan_out=True)
    finally:
        tick_helper_done()
    return {"fired": result.fired, "skipped": result.skipped, "polls": result.polls}


@shared_task(
    name="triggers.poll",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=90,
    time_limit=120,
)
def poll_trigger_task(trigger_id: str) -> dict:
    """Poll one trigger once (one trace: the poll's call and the runs it starts)."""
    from apps.observability import tracing
    from apps.triggers.polling import poll_run

    with tracing.span("trigger.poll", attributes={"flowplane.trigger.id": trigger_id}):
        return poll_run(trigger_id=trigger_id)
