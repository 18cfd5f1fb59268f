"""Promotion slots as a channel serves them: the entries shown now to a brand in a
region, each with its item, its link and its image rendition for the slot's
channel. The slots themselves are content (``content.models.promotions``); this
package sits above renditions because an entry's image and link are renditions."""
