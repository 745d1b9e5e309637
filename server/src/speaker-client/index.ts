// One client of the speaker's API for every face, over pluggable transports: plain HTTP(S), the
// Kubernetes API's service proxy, or an MRT file answered in process. Node IO.
export { SpeakerError, speakerError, type ErrorFactory } from './errors';
export type { RecordedTable, SpeakerTransport, TransportReply, TransportStream } from './transport';
export { httpTransport, parseSpeakerUrl, type HttpTransportOptions } from './http-transport';
export { k8sProxyTransport, parseSpeakerService, type SpeakerService } from './k8s-proxy-transport';
export { loadMrtTable, type MrtLoad, type MrtLoadFailure, type MrtTable } from './mrt-table';
export { MrtTransport, tableStateSource, type MrtTransportOptions } from './mrt-transport';
export {
  followWatch,
  type FollowOptions,
  type WatchHandlers,
  type WatchStreamOpener,
  type WatchSubscription,
} from './watch-follower';
export type { RouteSource, SourceSummary, WithinPage } from './route-source';
export { SpeakerClient, type SpeakerClientOptions } from './speaker-client';
export {
  isVantageSource,
  MergedRouteSource,
  type MergedRouteSourceOptions,
  type Vantage,
  type VantageRouteSource,
} from './merged-route-source';
