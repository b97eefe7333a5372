export { startSimulator, type Simulator, type SimulatorOptions } from './simulator';
export { createManualClock, systemClock, type Clock, type ManualClock } from './clock';
export type { WecomSimulator, ClickResult } from './wecom/wecom-simulator';
export type { CorpConfig, AppConfig, DepartmentInput, UserInput, ReceivedMessage, DroppedMessage, CardView } from './wecom/corp';
export type { CallbackTiming, DeliveryReport, DeliveryAttempt, UrlVerification, PassiveReply } from './wecom/callbacks';
export { textMessageXml, templateCardEventXml, changeContactXml, cdata, xmlField } from './wecom/callback-xml';
export { errcodes } from './wecom/errors';
