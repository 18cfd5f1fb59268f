from content.services.html import sanitize_html


def test_script_event_handlers_and_javascript_urls_do_not_survive():
    dirty = ('<p onclick="x()">hi<script>alert(1)</script></p><a href="javascript:alert(1)">x</a>'
             '<img src="https://a/b.png" onerror="y()"><iframe src="https://evil"></iframe>')
    clean = sanitize_html(dirty)
    for bad in ("script", "onclick", "onerror", "javascript:", "iframe"):
        assert bad not in clean
    assert "<p>hi</p>" in clean


def test_data_image_references_and_wagtail_embeds_are_kept():
    clean = sanitize_html('<p><img data-image="IMG0001" alt="配图"></p><embed embedtype="image" id="3" format="fullwidth"/>')
    assert 'data-image="IMG0001"' in clean
    assert 'embedtype="image"' in clean


def test_embeds_stay_self_closed_for_wagtails_rewriter():
    assert sanitize_html('<embed embedtype="image" id="3" format="fullwidth">') == '<embed embedtype="image" id="3" format="fullwidth"/>'
