//! The delivery horizon: no attempt starts later than `DELIVERY_HORIZON` after its event. Time
//! is moved with a `ManualClock`, never waited for.

use std::time::Duration;

use nfehook_core::EventKind;
use nfehook_sandbox::{
    AccountWebhookRequest, DELIVERY_HORIZON, DeliveryStatus, ManualClock, SandboxError,
    TriggerRequest,
};
use reqwest::Method;

use crate::support::{Receiver, Reply, call, clock_at_now, fast_sandbox, subscribe, until};

#[tokio::test]
async fn retries_inside_the_horizon_are_made_and_the_rest_expires() {
    let clock = clock_at_now();
    let sandbox = fast_sandbox().clock(clock.clone()).start().await.unwrap();
    let receiver = Receiver::start(&[], Reply::Status(500)).await;
    let (_, secret) = subscribe(&sandbox, &receiver.url(), &["nfe.cancelada"]).await;
    receiver.expect_secret(&secret);
    let triggered = sandbox
        .trigger(TriggerRequest::new(EventKind::Cancelada))
        .await
        .unwrap();
    let id = &triggered.deliveries[0].id;
    until(&sandbox, id, |d| d.attempts_made == 1).await;

    // The retry is due 100 ms later on the sandbox's clock, which stands still until moved.
    clock.advance(Duration::from_secs(10 * 60));
    let second = until(&sandbox, id, |d| d.attempts_made == 2).await;
    assert_eq!(
        second.status,
        DeliveryStatus::Pending,
        "10 minutes in: retried"
    );

    let rest = DELIVERY_HORIZON
        .checked_sub(Duration::from_secs(10 * 60))
        .unwrap();
    clock.advance(rest + Duration::from_secs(1));
    let expired = until(&sandbox, id, |d| d.status != DeliveryStatus::Pending).await;
    assert_eq!(expired.status, DeliveryStatus::Expired);
    assert_eq!(expired.attempts_made, 2, "no attempt past the horizon");
    assert_eq!(expired.next_attempt_at, None);
    assert!(expired.completed_at.is_some());
    assert_eq!(receiver.hits().len(), 2);

    let (status, _, listed) = call(
        &sandbox.base_url(),
        Method::GET,
        "/_sandbox/deliveries?status=expired",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed["data"][0]["id"], id.as_str());
    assert_eq!(listed["data"][0]["status"], "expired");
    sandbox.shutdown().await.unwrap();
}

#[tokio::test]
async fn after_a_long_restart_pending_deliveries_of_both_dialects_expire_unsent() {
    let dir = std::env::temp_dir().join(format!("nfehook-sandbox-horizon-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("sandbox.db");
    let _ = std::fs::remove_file(&db);

    let receiver = Receiver::start(&[], Reply::Status(500)).await;
    let clock = clock_at_now();
    let before = fast_sandbox()
        .db_path(&db)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    subscribe(&before, &receiver.url(), &["nfe.processada"]).await;
    let account_url = format!("{}?conta", receiver.url());
    before
        .set_account_webhook(AccountWebhookRequest::new(account_url, &EventKind::ACCOUNT))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for event in ["nfe.processada", "nfe.consulta.concluida"] {
        let triggered = before
            .trigger(TriggerRequest::new(EventKind::from_name(event)))
            .await
            .unwrap();
        ids.push(triggered.deliveries[0].id.clone());
    }
    for id in &ids {
        until(&before, id, |d| d.attempts_made == 1).await;
    }
    before.shutdown().await.unwrap();

    // Opened again 20 minutes later: the retries would now fall outside the horizon.
    let later = ManualClock::at_unix_millis(clock.now_unix_millis() + 20 * 60 * 1000);
    let after = fast_sandbox()
        .db_path(&db)
        .clock(later)
        .start()
        .await
        .unwrap();
    for id in &ids {
        let delivery = until(&after, id, |d| d.status != DeliveryStatus::Pending).await;
        assert_eq!(delivery.status, DeliveryStatus::Expired, "{delivery:?}");
        assert_eq!(delivery.attempts.len(), 1);
    }
    assert_eq!(
        receiver.hits().len(),
        2,
        "one attempt each, none after the restart"
    );
    after.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_schedule_longer_than_the_horizon_is_refused() {
    let err = fast_sandbox()
        .max_attempts(12)
        .backoff_base(Duration::from_secs(5))
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, SandboxError::InvalidConfig(_)), "{err}");
    assert!(err.to_string().contains("horizon"), "{err}");
}
