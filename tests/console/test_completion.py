"""``dutydesk completion bash``: the script completes what the parser accepts (real bash)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from console.cli import build_parser, main
from console.completion import command_words, script


def complete(*words: str) -> list[str]:
    """What bash offers for the last of ``words`` after loading the generated script."""
    quoted = " ".join(f"'{w}'" for w in ("dutydesk", *words))
    program = (
        f"{script(build_parser())}\nCOMP_WORDS=({quoted}); COMP_CWORD={len(words)}; "
        '_dutydesk; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    out = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_sub_commands_nested_commands_and_their_options() -> None:
    assert complete("dr") == ["drill"]
    assert complete("drill", "r") == ["report", "run"]
    assert "--gateway" in complete("drill", "run", "--g")
    assert complete("--config", "station.toml", "pa") == ["page"]  # a value is skipped


def test_every_command_of_the_parser_is_in_the_script(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", "bash"]) == 0
    printed = capsys.readouterr().out
    for path, words in command_words(build_parser()):
        assert f'"{" ".join(path)}") words="{" ".join(words)}"' in printed
    assert printed.endswith("complete -o filenames -F _dutydesk dutydesk\n")
    assert main(["completion", "zsh"]) == 0 and "bashcompinit" in capsys.readouterr().out
