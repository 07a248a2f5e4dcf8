from rest_framework import serializers

_B64 = "Base64 (standard alphabet, padded) of a 32-byte SHA-256 hash, as in checkpoints."


class InclusionQuerySerializer(serializers.Serializer):
    # Not strict: a query string, where unknown parameters are ignored.
    tree_size = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Prove inclusion in the tree of this size, up to the latest checkpoint's "
        "(default: the latest checkpoint).",
    )


class ConsistencyQuerySerializer(serializers.Serializer):
    first = serializers.IntegerField(min_value=0, help_text="The earlier tree size.")
    second = serializers.IntegerField(
        required=False, min_value=1, help_text="The later tree size (default: the latest checkpoint's)."
    )


class InclusionProofSerializer(serializers.Serializer):
    stream = serializers.CharField()
    origin = serializers.CharField(help_text="The log's origin: the first line of its checkpoints.")
    leaf_index = serializers.IntegerField(min_value=0)
    tree_size = serializers.IntegerField(min_value=1)
    record_hash = serializers.CharField(
        allow_null=True,
        help_text="Hex SHA-256 of the record's canonical content (when asked by record): the leaf is "
        "SHA-256(0x00 || these 32 bytes).",
    )
    leaf_hash = serializers.CharField(help_text=_B64)
    proof = serializers.ListField(
        child=serializers.CharField(), help_text=f"The audit path, leaf upwards. {_B64}"
    )
    checkpoint = serializers.CharField(
        allow_null=True,
        help_text="The signed checkpoint of `tree_size` (c2sp.org/tlog-checkpoint); null when none "
        "was signed at that size.",
    )


class ConsistencyProofSerializer(serializers.Serializer):
    stream = serializers.CharField()
    origin = serializers.CharField()
    first = serializers.IntegerField(min_value=0)
    second = serializers.IntegerField(min_value=1)
    proof = serializers.ListField(
        child=serializers.CharField(), help_text=f"RFC 9162 consistency proof. {_B64}"
    )
    checkpoint = serializers.CharField(
        allow_null=True,
        help_text="The signed checkpoint of `second`; null when none was signed at that size.",
    )


class ReceiptProofSerializer(serializers.Serializer):
    """The proof a receipt carries (audit.transparency.log_receipt_proof)."""

    stream = serializers.CharField()
    origin = serializers.CharField(help_text="The log's origin: the first line of its checkpoints.")
    leaf_index = serializers.IntegerField(min_value=0)
    tree_size = serializers.IntegerField(min_value=1)
    leaf_hash = serializers.CharField(help_text=f"SHA-256(0x00 || record hash bytes). {_B64}")
    inclusion_proof = serializers.ListField(
        child=serializers.CharField(),
        help_text=f"The audit path from the leaf to the root (RFC 9162). {_B64}",
    )
    checkpoint = serializers.CharField(
        help_text="The signed checkpoint of `tree_size` (c2sp.org/tlog-checkpoint), "
        "with witnesses' cosignatures."
    )
    keys_url = serializers.URLField(help_text="Where the log's public keys are published.")
    verifier_url = serializers.URLField(
        help_text="A standalone verifier (Python, standard library + cryptography)."
    )
