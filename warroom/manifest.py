"""The integration YAML as the server reads it: its commands, their arguments and the instance params."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warroom.errors import CommandRefused

# Commands the server runs without a YAML entry.
BUILTIN_COMMANDS = ("test-module",)
# Accepted by the server on every command: `debug-mode=true` runs it in debug mode (the runner's --debug).
SERVER_ARGUMENTS = ("debug-mode",)

PARAM_TYPE_CHECKBOX = 8
PARAM_TYPE_CREDENTIALS = 9


@dataclass(frozen=True)
class Argument:
    name: str
    required: bool = False
    default: str | None = None


@dataclass(frozen=True)
class Command:
    name: str
    arguments: dict[str, Argument] = field(default_factory=dict)


@dataclass(frozen=True)
class Param:
    name: str
    type: int = 0
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class IntegrationManifest:
    name: str
    commands: dict[str, Command]
    params: dict[str, Param]
    script: str = ""
    is_fetch: bool = False

    @classmethod
    def from_yaml_text(cls, text: str) -> IntegrationManifest:
        import yaml

        document = yaml.safe_load(text)
        if not isinstance(document, Mapping):
            raise CommandRefused("The integration YAML is not a mapping")
        return cls.from_document(document)

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> IntegrationManifest:
        script = document.get("script") or {}
        commands = {}
        for raw in script.get("commands") or []:
            arguments = {
                arg["name"]: Argument(
                    name=arg["name"],
                    required=bool(arg.get("required")),
                    default=_as_argument_string(_first_present(arg, "defaultValue", "defaultvalue")),
                )
                for arg in raw.get("arguments") or []
            }
            commands[raw["name"]] = Command(name=raw["name"], arguments=arguments)
        params = {
            raw["name"]: Param(
                name=raw["name"],
                type=int(raw.get("type") or 0),
                required=bool(raw.get("required")),
                default=_first_present(raw, "defaultvalue", "defaultValue"),
            )
            for raw in document.get("configuration") or []
        }
        code = script.get("script") or ""
        return cls(
            name=str(document.get("display") or document.get("name") or ""),
            commands=commands,
            params=params,
            script="" if code.strip() == "-" else code,
            is_fetch=bool(script.get("isfetch")),
        )

    @classmethod
    def load(cls, path: Path) -> IntegrationManifest:
        return cls.from_yaml_text(Path(path).read_text(encoding="utf-8"))

    def command_names(self) -> list[str]:
        names = list(BUILTIN_COMMANDS) + (["fetch-incidents"] if self.is_fetch else [])
        return names + sorted(name for name in self.commands if name not in names)

    def check_args(self, command: str, args: Mapping[str, str]) -> dict[str, str]:
        """Refuse what the server refuses and return the args with the YAML defaults filled in."""
        if command in BUILTIN_COMMANDS or (command == "fetch-incidents" and self.is_fetch):
            spec = self.commands.get(command, Command(command))
        elif command in self.commands:
            spec = self.commands[command]
        else:
            raise CommandRefused(
                f"Unknown command !{command}. Commands of {self.name or 'this integration'}: "
                + ", ".join(self.command_names())
            )
        unknown = [name for name in args if name not in spec.arguments and name not in SERVER_ARGUMENTS]
        if unknown:
            accepted = ", ".join(sorted(spec.arguments)) or "none"
            raise CommandRefused(f"!{command} has no argument {unknown[0]}. Accepted arguments: {accepted}")
        checked = {name: str(value) for name, value in args.items()}
        for argument in spec.arguments.values():
            if checked.get(argument.name, "") == "" and argument.default is not None:
                checked[argument.name] = argument.default
        missing = [a.name for a in spec.arguments.values() if a.required and checked.get(a.name, "") == ""]
        if missing:
            raise CommandRefused(f"!{command} is missing required argument(s): {', '.join(missing)}")
        return checked


def _first_present(mapping: Mapping[str, Any], *keys: str) -> Any:
    for key in keys:
        if mapping.get(key) is not None:
            return mapping[key]
    return None


def _as_argument_string(value: Any) -> str | None:
    """Render a YAML default as the string the War Room would pass (`true`, not `True`)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
