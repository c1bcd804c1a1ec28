//! `nfehook subscriptions …` and `nfehook chaves …`: the ValidaNFe Subscriptions API (or a
//! sandbox, with --base-url) through nfehook-client. The API key is only ever sent in
//! `X-API-KEY`; secrets are shown only with --show-secret.

use nfehook_client::{Client, NewSubscription, Secret, SubscriptionPatch};
use nfehook_core::EventKind;
use serde_json::{Value, json};

use crate::error::{CliError, Result};
use crate::output::Style;

/// Where the API is and how to authenticate, shared by every API command. No `Debug`: it
/// holds the API key.
#[derive(clap::Args)]
pub struct ApiArgs {
    /// API key (or NFEHOOK_API_KEY), sent in X-API-KEY; never printed.
    #[arg(long, global = true, env = "NFEHOOK_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Base URL of the API: a sandbox such as http://127.0.0.1:8787 (or NFEHOOK_BASE_URL).
    #[arg(long, global = true, env = "NFEHOOK_BASE_URL", value_name = "URL",
          default_value = nfehook_client::DEFAULT_BASE_URL)]
    pub base_url: String,
}

impl ApiArgs {
    /// The client, or a usage error when no key was given.
    pub fn client(&self) -> Result<Client> {
        let key = match self.api_key.as_deref() {
            Some(key) if !key.trim().is_empty() => key,
            _ => {
                return Err(CliError::Usage(
                    "no API key: give --api-key or set NFEHOOK_API_KEY".into(),
                ));
            }
        };
        Ok(Client::builder(key).base_url(&self.base_url).build()?)
    }
}

/// `nfehook subscriptions`.
#[derive(clap::Args)]
pub struct SubscriptionsArgs {
    #[command(flatten)]
    api: ApiArgs,
    /// Show each subscription's secret (hidden by default).
    #[arg(long, global = true)]
    show_secret: bool,
    #[command(subcommand)]
    action: SubscriptionAction,
}

#[derive(clap::Subcommand)]
enum SubscriptionAction {
    /// Lists every subscription.
    List,
    /// Shows one subscription and its NF-e keys.
    Get {
        /// Subscription id (UUID).
        id: String,
    },
    /// Creates a subscription.
    Create {
        /// Descriptive name.
        #[arg(long)]
        name: String,
        /// Where deliveries go (https recommended).
        #[arg(long)]
        url: String,
        /// Events to deliver (repeat, or separate with commas); all three when absent.
        #[arg(long = "event", value_name = "EVENT", value_delimiter = ',')]
        events: Vec<String>,
        /// Create it paused.
        #[arg(long)]
        inactive: bool,
        /// Its secret; the service generates one when absent.
        #[arg(long, hide_env_values = true)]
        secret: Option<String>,
    },
    /// Changes the fields given; the others stay as they are.
    Update {
        /// Subscription id (UUID).
        id: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New URL.
        #[arg(long)]
        url: Option<String>,
        /// New events (repeat, or separate with commas).
        #[arg(long = "event", value_name = "EVENT", value_delimiter = ',')]
        events: Vec<String>,
        /// Activate (`true`) or pause (`false`).
        #[arg(long, value_name = "BOOL")]
        active: Option<bool>,
    },
    /// Deletes a subscription (its pending deliveries are cancelled).
    Delete {
        /// Subscription id (UUID).
        id: String,
    },
}

/// `nfehook chaves`.
#[derive(clap::Args)]
pub struct ChavesArgs {
    #[command(flatten)]
    api: ApiArgs,
    #[command(subcommand)]
    action: ChaveAction,
}

#[derive(clap::Subcommand)]
enum ChaveAction {
    /// Lists the NF-e keys of a subscription.
    List {
        /// Subscription id (UUID).
        subscription: String,
    },
    /// Adds NF-e keys to a subscription (each validated first).
    Add {
        /// Subscription id (UUID).
        subscription: String,
        /// The keys.
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// Removes NF-e keys from a subscription.
    Remove {
        /// Subscription id (UUID).
        subscription: String,
        /// The keys.
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// Adds every key of a text, CSV or NF-e XML file, with a progress bar, honouring 429,
    /// resumable with --resume.
    Import(crate::import::ImportArgs),
}

/// Event names read from flags; an unknown one is a usage error.
fn events(names: &[String]) -> Result<Vec<EventKind>> {
    names
        .iter()
        .map(|name| {
            let kind = EventKind::from_name(name.trim());
            if kind.dialect() == Some(nfehook_core::Dialect::Subscription) {
                Ok(kind)
            } else {
                Err(CliError::Usage(format!(
                    "unknown subscription event {name:?}; expected nfe.processada, \
                     nfe.cancelada or nfe.erro"
                )))
            }
        })
        .collect()
}

/// A subscription as JSON, its secret removed unless asked for.
fn redacted(value: impl serde::Serialize, show_secret: bool) -> Value {
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    if !show_secret && let Some(object) = value.as_object_mut() {
        object.remove("secret");
    }
    value
}

/// Prints the fields of one subscription (as JSON, already redacted).
fn print_fields(value: &Value, show_secret: bool) {
    let text = |key: &str| match &value[key] {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    };
    let events: Vec<String> = value["events"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    println!("id          {}", text("id"));
    println!("name        {}", text("name"));
    println!("url         {}", text("url"));
    println!("active      {}", text("isActive"));
    println!("events      {}", events.join(", "));
    println!("created     {}", text("createdAt"));
    println!("last sent   {}", text("lastDeliveryAt"));
    if show_secret {
        println!("secret      {}", text("secret"));
    } else {
        println!("secret      (hidden; --show-secret shows it)");
    }
    if let Some(keys) = value["nfeChaves"].as_array() {
        println!("nfe keys    {}", keys.len());
        for key in keys.iter().filter_map(Value::as_str) {
            println!("  {key}");
        }
    } else if !value["nfeChavesCount"].is_null() {
        println!("nfe keys    {}", text("nfeChavesCount"));
    }
}

/// Runs a subscriptions command.
pub async fn subscriptions(args: SubscriptionsArgs, json: bool) -> Result<()> {
    let client = args.api.client()?;
    let show = args.show_secret;
    match args.action {
        SubscriptionAction::List => {
            let list = client.list_subscriptions().await?;
            if json {
                crate::output::json_line(&redacted(&list, show));
                return Ok(());
            }
            print_table(&list, show);
        }
        SubscriptionAction::Get { id } => {
            let detail = redacted(client.get_subscription(&id).await?, show);
            if json {
                crate::output::json_line(&detail);
            } else {
                print_fields(&detail, show);
            }
        }
        SubscriptionAction::Create {
            name,
            url,
            events: names,
            inactive,
            secret,
        } => {
            let events = if names.is_empty() {
                EventKind::SUBSCRIPTION.to_vec()
            } else {
                events(&names)?
            };
            let new = NewSubscription {
                name,
                url,
                events,
                is_active: !inactive,
                secret: secret.map(Secret::new),
            };
            let created = redacted(client.create_subscription(&new).await?, show);
            if json {
                crate::output::json_line(&created);
            } else {
                println!(
                    "created subscription {}",
                    created["id"].as_str().unwrap_or("-")
                );
                print_fields(&created, show);
            }
        }
        SubscriptionAction::Update {
            id,
            name,
            url,
            events: names,
            active,
        } => {
            let patch = SubscriptionPatch {
                name,
                url,
                events: (!names.is_empty()).then(|| events(&names)).transpose()?,
                is_active: active,
            };
            if patch.is_empty() {
                return Err(CliError::Usage(
                    "nothing to update: give --name, --url, --event or --active".into(),
                ));
            }
            let updated = client.update_subscription(&id, &patch).await?;
            match (json, updated) {
                (true, Some(updated)) => crate::output::json_line(&redacted(updated, show)),
                (true, None) => crate::output::json_line(&json!({ "id": id, "updated": true })),
                (false, Some(updated)) => {
                    println!("updated subscription {id}");
                    print_fields(&redacted(updated, show), show);
                }
                (false, None) => println!("updated subscription {id}"),
            }
        }
        SubscriptionAction::Delete { id } => {
            client.delete_subscription(&id).await?;
            if json {
                crate::output::json_line(&json!({ "id": id, "deleted": true }));
            } else {
                println!("deleted subscription {id}");
            }
        }
    }
    Ok(())
}

/// The subscriptions as an aligned table.
fn print_table(list: &[nfehook_client::Subscription], show_secret: bool) {
    if list.is_empty() {
        println!("no subscriptions");
        return;
    }
    let mut rows = vec![vec![
        "ID".to_owned(),
        "NAME".to_owned(),
        "ACTIVE".to_owned(),
        "EVENTS".to_owned(),
        "KEYS".to_owned(),
        "URL".to_owned(),
    ]];
    if show_secret {
        rows[0].push("SECRET".to_owned());
    }
    for s in list {
        let mut row = vec![
            s.id.clone(),
            s.name.clone(),
            if s.is_active { "yes" } else { "no" }.to_owned(),
            s.events
                .iter()
                .map(EventKind::as_str)
                .collect::<Vec<_>>()
                .join(","),
            s.nfe_chaves_count
                .map_or_else(|| "-".to_owned(), |n| n.to_string()),
            s.url.clone(),
        ];
        if show_secret {
            row.push(s.secret.expose().to_owned());
        }
        rows.push(row);
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let style = Style::detect(false);
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let line = line.join("  ").trim_end().to_owned();
        if i == 0 {
            println!("{}", style.dim(&line));
        } else {
            println!("{line}");
        }
    }
}

/// Runs a chaves command.
pub async fn chaves(args: ChavesArgs, json: bool) -> Result<()> {
    match args.action {
        ChaveAction::Import(import) => crate::import::run(&args.api, import, json).await?,
        ChaveAction::List { subscription } => {
            let keys = args.api.client()?.list_chaves(&subscription).await?;
            if json {
                crate::output::json_line(
                    &json!({ "subscriptionId": subscription, "chaves": keys }),
                );
            } else if keys.is_empty() {
                println!("no NF-e keys: the subscription receives events of every NF-e");
            } else {
                for key in &keys {
                    println!("{key}");
                }
            }
        }
        ChaveAction::Add { subscription, keys } => {
            let client = args.api.client()?;
            each_key(&keys, json, "added", |key| {
                let client = client.clone();
                let subscription = subscription.clone();
                async move {
                    client
                        .add_chave(&subscription, &key)
                        .await
                        .map(|chave| chave.as_str().to_owned())
                }
            })
            .await?;
        }
        ChaveAction::Remove { subscription, keys } => {
            let client = args.api.client()?;
            each_key(&keys, json, "removed", |key| {
                let client = client.clone();
                let subscription = subscription.clone();
                async move {
                    let chave = nfehook_core::ChaveAcesso::parse(&key)
                        .map(|c| c.as_str().to_owned())
                        .unwrap_or(key.clone());
                    client
                        .remove_chave(&subscription, &key)
                        .await
                        .map(|()| chave)
                }
            })
            .await?;
        }
    }
    Ok(())
}

/// Runs `call` on every key, one line each; fails with the first error once all are done.
async fn each_key<F, Fut>(keys: &[String], json: bool, done: &str, call: F) -> Result<()>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = nfehook_client::Result<String>>,
{
    let style = Style::detect(json);
    let mut first_error = None;
    for key in keys {
        match call(key.clone()).await {
            Ok(chave) if json => {
                crate::output::json_line(&json!({ "chave": chave, "ok": true }));
            }
            Ok(chave) => println!("{} {chave}", style.good(done)),
            Err(error) => {
                if json {
                    crate::output::json_line(&json!({
                        "chave": key, "ok": false, "kind": error.kind(), "error": error.to_string(),
                    }));
                } else {
                    println!("{} {key}: {error}", style.bad("failed"));
                }
                first_error.get_or_insert(error);
            }
        }
    }
    match first_error {
        Some(error) => Err(CliError::Api(error)),
        None => Ok(()),
    }
}
