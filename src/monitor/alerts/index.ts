export { AlertEngine, type AlertEngineOptions, type AlertEvent, type AlertSink } from './engine.ts';
export { DEFAULT_THRESHOLDS, defaultRules, type AlertRule, type AlertSnapshot, type Finding, type RuleThresholds, type Severity } from './rules.ts';
export { alertText, logSink, sinksFromConfig, webhookBody, WebhookSink, type WebhookFormat, type WebhookSinkOptions } from './sinks.ts';
export { availability, errorRate, RunWindow, SampleWindow, type RunOutcome } from './windows.ts';
