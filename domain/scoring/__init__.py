"""The scoring context: per-customer scores from the nightly run (RFM, CLV, churn risk,
lifecycle) and message engagement. So far it only reads them (privacy exports)."""
