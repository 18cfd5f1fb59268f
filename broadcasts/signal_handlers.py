"""Signal handlers of mass sends, wired in BroadcastsConfig.ready()."""


def mass_send_finished(
    sender,
    account_code,
    msg_id,
    status,
    total_count,
    filter_count,
    sent_count,
    error_count,
    **kwargs,
):
    """The callback received MASSSENDJOBFINISH: one UPDATE of the send it reports (a
    receiver that raises makes the callback answer 503, so WeChat delivers it again)."""
    from .services.jobs import record_finish

    record_finish(
        account_code, msg_id, status, total_count, filter_count, sent_count, error_count
    )
