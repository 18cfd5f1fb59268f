from .organisations import Brand, ChannelAccount, EditorProfile, Organisation, OrganisationOwned

__all__ = ["Brand", "ChannelAccount", "EditorProfile", "Organisation", "OrganisationOwned"]
