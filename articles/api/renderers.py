"""JSON that splices in representations kept already encoded (caching.shared_representations).

A list of 20 briefs is mostly their representations; kept as JSON text, they are joined into
the answer instead of being decoded into dictionaries and encoded again on every request.
"""

import json

from rest_framework.renderers import JSONRenderer

# Stands for the kept parts while the rest of the answer is encoded; a JSON string cannot hold a raw NUL.
_PLACE = "\x00kept representations\x00"


class KeptJSON(list):
    """Representations already encoded as JSON (bytes, as KeptJSONRenderer renders one), in order."""

    def decoded(self) -> list:
        return [json.loads(part) for part in self]


class KeptJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, which writes a KeptJSON value (at the top level of a dictionary) as it is kept."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        kept = [key for key, value in data.items() if isinstance(value, KeptJSON)] if isinstance(data, dict) else []
        if not kept:
            return super().render(data, accepted_media_type, renderer_context)
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            # Indented for a person (?format=json with indent, the browsable API): decode and lay it all out.
            return super().render(
                {key: value.decoded() if key in kept else value for key, value in data.items()},
                accepted_media_type,
                renderer_context,
            )
        with_places = {key: _PLACE if key in kept else value for key, value in data.items()}
        envelope = super().render(with_places, accepted_media_type, renderer_context)
        place = json.dumps(_PLACE).encode()
        for key in kept:
            envelope = envelope.replace(place, b"[" + b",".join(data[key]) + b"]", 1)
        return envelope
