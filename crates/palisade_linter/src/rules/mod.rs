//! The rule registry. Adding a rule: its file, one `mod` line in its
//! category, one line in [`ALL`].

pub(crate) mod capability;
pub(crate) mod credentials;
pub(crate) mod exec;
pub(crate) mod exfil;
pub(crate) mod manifest;
pub(crate) mod network;
pub(crate) mod obfuscation;
pub(crate) mod package;
pub(crate) mod persistence;
pub(crate) mod poisoning;

use crate::rule::Rule;

/// Every rule, in documentation order.
pub static ALL: &[&dyn Rule] = &[
    &package::limit_exceeded::LimitExceeded,
    &package::unreadable::Unreadable,
    &package::unparsable_code::UnparsableCode,
    &manifest::install_script::InstallScript,
    &manifest::install_script_download_exec::InstallScriptDownloadExec,
    &manifest::install_script_reverse_shell::InstallScriptReverseShell,
    &manifest::install_script_encoded_payload::InstallScriptEncodedPayload,
    &manifest::install_script_env_dump::InstallScriptEnvDump,
    &manifest::install_script_network::InstallScriptNetwork,
    &manifest::remote_dependency::RemoteDependency,
    &manifest::bin_shadows_command::BinShadowsCommand,
    &network::collector_endpoint::CollectorEndpoint,
    &network::raw_ip_destination::RawIpDestination,
    &network::tls_verification_disabled::TlsVerificationDisabled,
    &network::python_install_network::PythonInstallNetwork,
    &network::tool_cloud_metadata::ToolCloudMetadata,
    &network::tool_port_scan::ToolPortScan,
    &exfil::email_hardcoded_recipient::EmailHardcodedRecipient,
    &exfil::secrets_to_network::SecretsToNetwork,
    &exfil::install_time_recon::InstallTimeRecon,
    &exfil::tool_arguments_to_collector::ToolArgumentsToCollector,
    &exfil::tool_data_to_undisclosed_host::ToolDataToUndisclosedHost,
    &exfil::tool_data_side_channel::ToolDataSideChannel,
    &exfil::tool_data_to_shared_file::ToolDataToSharedFile,
    &exfil::tool_path_traversal::ToolPathTraversal,
    &exfil::tool_host_recon::ToolHostRecon,
    &exfil::credential_stealer::CredentialStealer,
    &exfil::form_skimmer::FormSkimmer,
    &exec::decode_and_run::DecodeAndRun,
    &exec::remote_code::RemoteCode,
    &exec::download_and_run::DownloadAndRun,
    &exec::reverse_shell::ReverseShell,
    &exec::shell_download_exec::ShellDownloadExec,
    &exec::ai_cli_permission_bypass::AiCliPermissionBypass,
    &exec::npm_publish::NpmPublish,
    &exec::bundled_executable::BundledExecutable,
    &exec::destructive_command::DestructiveCommand,
    &exec::hidden_execution::HiddenExecution,
    &exec::tool_argument_code::ToolArgumentCode,
    &exec::tool_argument_injection::ToolArgumentInjection,
    &exec::evasion_command::EvasionCommand,
    &exec::resource_exhaustion::ResourceExhaustion,
    &credentials::sensitive_file_read::SensitiveFileRead,
    &credentials::tool_secret_files::ToolSecretFiles,
    &persistence::ai_client_config_write::AiClientConfigWrite,
    &persistence::startup_file_write::StartupFileWrite,
    &persistence::tool_system_write::ToolSystemWrite,
    &persistence::background_at_install::BackgroundAtInstall,
    &persistence::dependency_tampering::DependencyTampering,
    &persistence::pth_executable_line::PthExecutableLine,
    &poisoning::tool_description_override::ToolDescriptionOverride,
    &obfuscation::obfuscated_code::ObfuscatedCode,
    &obfuscation::escaped_api_name::EscapedApiName,
    &obfuscation::hidden_script_source::HiddenScriptSource,
    &capability::uses::Uses,
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::ALL;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for r in ALL {
            let id = r.meta().id;
            assert!(seen.insert(id), "duplicate rule id {id}");
            let (cat, name) = id.split_once('/').expect("category/name");
            assert!(!cat.is_empty() && !name.is_empty());
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'/'),
                "{id} is not kebab-case"
            );
        }
        let ids: Vec<&str> = ALL.iter().map(|r| r.meta().id).collect();
        insta::assert_snapshot!("rule_ids", ids.join("\n"));
    }

    #[test]
    fn every_rule_is_documented() {
        for r in ALL {
            let m = r.meta();
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## References",
            ] {
                assert!(m.doc.contains(section), "{} lacks {section}", m.id);
            }
            assert!(!m.summary.is_empty());
        }
    }
}
