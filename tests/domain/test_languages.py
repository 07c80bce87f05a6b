from __future__ import annotations

from tracking.domain.languages import BOT_LANGUAGE_KEYS, bot_languages, normalise_language, normalise_languages


def test_vscode_variants_fold_into_their_language() -> None:
    assert normalise_language("typescriptreact") == "typescript"
    assert normalise_language("javascriptreact") == "javascript"
    assert normalise_language("jsonc") == "json"
    assert normalise_language(" Python ") == "python"
    assert normalise_language("shellscript") == "shellscript"
    assert normalise_language("java") == "java"


def test_names_are_safe_mongodb_keys() -> None:
    assert normalise_language("$where") == "_where"
    assert normalise_language(".py") == "_py"
    assert normalise_language("c++") == "cpp"
    assert normalise_language("x" * 100) == "x" * 64
    assert normalise_language("   ") == "other"


def test_folded_ids_add_up_and_zeros_are_dropped() -> None:
    assert normalise_languages({"typescript": 10.5, "typescriptreact": 4.5, "go": 0, "plaintext": 3}) == {
        "typescript": 15.0,
        "plaintext": 3,
    }


def test_the_bot_object_has_the_26_keys_with_the_rest_under_other() -> None:
    result = bot_languages({"python": 100, "java": 50, "shellscript": 25, "other": 5})
    assert list(result) == list(BOT_LANGUAGE_KEYS)
    assert len(result) == 26
    assert result["python"] == 100
    assert result["other"] == 80
    assert sum(result.values()) == 180
