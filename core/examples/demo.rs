//! `make run` before the desktop app: verify a signed sample delivery and decode its access key.

use nfehook_core::{ChaveAcesso, DEFAULT_TOLERANCE_SECS, Timestamp, Verifier, sign, verify_event};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = "whsec_1234567890abcdef";
    let body = br#"{"id":"8c0b7f2e-5d1a-4e8b-9f3a-2b6c1d7e9a10","event":"nfe.processada","timestamp":"2024-03-10T16:45:30Z","data":{"nfeChave":"52060433009911002506550120000007800267301615","status":"processada","emitente":{"cnpj":"33009911002506","razaoSocial":"Empresa Exemplo LTDA"},"valor":1500.00,"dataEmissao":"2024-03-10T15:30:45Z"}}"#;
    let header = sign(secret, body);
    println!("X-Webhook-Signature: {header}");

    let now = Timestamp::parse("2024-03-10T16:46:00Z")?.unix_seconds();
    let event = verify_event(
        &Verifier::new(secret)?,
        body,
        &header,
        now,
        DEFAULT_TOLERANCE_SECS,
    )?;
    println!(
        "assinatura válida: {} ({}, dialeto {})",
        event.event,
        event.id,
        event.dialect()
    );

    let chave = event.data.chave()?;
    println!("chave de acesso:  {}", chave.grouped());
    println!(
        "  UF:             {} ({})",
        chave.uf().nome(),
        chave.uf().sigla()
    );
    println!("  emissão:        {:02}/{}", chave.mes(), chave.ano());
    println!(
        "  emitente:       {} {}",
        chave.emitente().kind(),
        chave.emitente().formatted()
    );
    println!("  modelo/série:   {} / {}", chave.modelo(), chave.serie());
    println!("  número:         {}", chave.numero());
    println!("  tipo de emissão: {}", chave.tipo_emissao());

    let tampered = String::from_utf8_lossy(body).replace("1500.00", "15000.00");
    let err = verify_event(
        &Verifier::new(secret)?,
        tampered.as_bytes(),
        &header,
        now,
        DEFAULT_TOLERANCE_SECS,
    )
    .expect_err("a tampered body never verifies");
    println!("corpo adulterado: rejeitado ({})", err.code());

    let bad = ChaveAcesso::parse("35170608530528000184550000000154301000771561")
        .expect_err("the documentation's example key has a wrong check digit");
    println!("chave do exemplo da documentação: {bad}");
    Ok(())
}
