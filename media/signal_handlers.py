"""Signal handlers of the media app, wired in MediaConfig.ready()."""


def organisation_collection(sender, instance, created, raw=False, **kwargs):
    """Every organisation gets its image collection as soon as it exists."""
    if raw or not created:
        return
    from media.services import collection_for_organisation

    collection_for_organisation(instance)
