// The name of every app command, once; see the module's doc in `lib.rs`. Plain `//` comments
// here: `build.rs` `include!`s this file, where inner doc comments are not allowed.

/// Every command the webview may invoke, in the order `lib.rs` registers them.
pub const COMMANDS: &[&str] = &[
    "app_info",
    "add_connection",
    "update_connection",
    "remove_connection",
    "select_connection",
    "check_connection",
    "list_subscriptions",
    "get_subscription",
    "validate_subscription",
    "create_subscription",
    "update_subscription",
    "set_subscription_active",
    "delete_subscription",
    "reveal_secret",
    "copy_secret",
    "copy_sensitive",
    "ui_ready",
    "validate_chave",
    "list_chaves",
    "add_chave",
    "remove_chaves",
    "export_chaves",
    "copy_text",
    "preview_import",
    "preview_page",
    "start_import",
    "resume_import",
    "cancel_import",
    "open_imports",
    "import_status",
    "import_results",
    "export_import_results",
    "copy_import_results",
    "dismiss_import",
    "send_test_event",
    "list_deliveries",
    "resend_delivery",
    "get_account_webhook",
    "set_account_webhook",
    "inspector_start",
    "inspector_watch",
    "inspector_stop",
    "inspector_status",
    "inspector_requests",
    "inspector_set_response",
    "inspector_use_secret",
    "inspector_verify",
    "inspector_curl",
    "inspector_clear",
    "inspector_subscribe_sandbox",
    // The tool views of the workspace: test-event drafts, inspector replay and export, keys
    // checked with no subscription.
    "test_event_draft",
    "inspector_replay",
    "inspector_export",
    "check_keys",
    "check_keys_page",
    "tool_limits",
];

/// The capability granting every command to the main window, as `build.rs` writes it.
pub fn capability_json() -> String {
    let permissions: Vec<String> = COMMANDS
        .iter()
        .map(|name| format!("    \"allow-{}\"", name.replace('_', "-")))
        .collect();
    format!(
        "{{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"main\",\n  \"description\": \"What the main window may call: the app's own commands, nothing else (no core plugin, no clipboard plugin: the clipboard is written from Rust). Written by build.rs from src/command_names.rs.\",\n  \"windows\": [\n    \"main\"\n  ],\n  \"permissions\": [\n{}\n  ]\n}}\n",
        permissions.join(",\n")
    )
}

/// The TypeScript union of the names, as `build.rs` writes it.
pub fn typescript() -> String {
    let names: Vec<String> = COMMANDS
        .iter()
        .map(|name| format!("  | '{name}'"))
        .collect();
    format!(
        "// Written by desktop/src-tauri/build.rs from src/command_names.rs: do not edit.\n\n/** The name of every app command. */\nexport type Command =\n{};\n",
        names.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::{COMMANDS, capability_json, typescript};

    const LIB_RS: &str = include_str!("lib.rs");
    const CAPABILITY: &str = include_str!("../capabilities/main.json");
    const COMMANDS_TS: &str = include_str!("../../app/src/lib/commands.ts");
    const API_TS: &str = include_str!("../../app/src/lib/api.ts");
    const TOOLS_TS: &str = include_str!("../../app/src/lib/tools.ts");

    /// The names in `lib.rs`'s `generate_handler![module::name, ...]`, in order.
    fn registered() -> Vec<&'static str> {
        let start = LIB_RS
            .find("generate_handler![")
            .expect("generate_handler! in lib.rs");
        let list = &LIB_RS[start + "generate_handler![".len()..];
        let list = &list[..list.find(']').expect("end of generate_handler!")];
        list.split(',')
            .map(str::trim)
            .filter(|path| !path.is_empty())
            .map(|path| path.rsplit("::").next().unwrap_or(path))
            .collect()
    }

    /// Every `call<...>('name'` of the UI's command wrappers.
    fn called() -> BTreeSet<&'static str> {
        let mut names = BTreeSet::new();
        for source in [API_TS, TOOLS_TS] {
            for (at, _) in source.match_indices("call<") {
                let rest = &source[at..];
                let Some(open) = rest.find("('") else {
                    continue;
                };
                let name = &rest[open + 2..];
                names.insert(&name[..name.find('\'').unwrap_or(0)]);
            }
        }
        names
    }

    #[test]
    fn names_are_unique_snake_case() {
        let unique: BTreeSet<_> = COMMANDS.iter().collect();
        assert_eq!(unique.len(), COMMANDS.len(), "a command listed twice");
        for name in COMMANDS {
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
        }
    }

    #[test]
    fn the_handler_list_registers_exactly_the_commands() {
        assert_eq!(registered(), COMMANDS);
    }

    #[test]
    fn the_capability_and_the_typescript_names_are_written_from_the_list() {
        assert_eq!(
            CAPABILITY,
            capability_json(),
            "rebuild to rewrite capabilities/main.json"
        );
        assert_eq!(
            COMMANDS_TS,
            typescript(),
            "rebuild to rewrite app/src/lib/commands.ts"
        );
    }

    #[test]
    fn the_ui_calls_only_listed_commands_and_every_one_of_them() {
        let listed: BTreeSet<&str> = COMMANDS.iter().copied().collect();
        assert_eq!(called(), listed);
    }
}
