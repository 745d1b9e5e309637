// The speaker's HTTP API declared once (docs/api.md): paths, query builders and their parse,
// response and watch event types. Pure ("types": []): the server and every client use it.
export { apiPaths, endpointList, type ApiEndpoint } from './paths';
export { encodeQuery, splitTarget, type QueryValues } from './query-string';
export {
  defaultRibView,
  defaultRouteLimit,
  ribViews,
  type RibViewName,
  maxRouteLimit,
  healthQuery,
  isApiRequestError,
  lookupQuery,
  metricsQuery,
  parseApiRequest,
  peersQuery,
  routesQuery,
  snapshotQuery,
  watchQuery,
  type ApiRequest,
  type ApiRequestError,
  type RoutesQuery,
} from './requests';
export type {
  ApiReply,
  ErrorResponse,
  HealthResponse,
  LookupResponse,
  PeersResponse,
  RoutesResponse,
} from './responses';
export {
  answerApiRequest,
  answerParsed,
  viewSource,
  type RoutesJsonWriter,
  type RouteStateSource,
} from './answer';
export {
  answerChunkBytes,
  routesWithinChunks,
  routesWithinText,
  type AnswerChunks,
  type WithinRequest,
} from './routes-stream';
export {
  SseParser,
  decodeWatchEvent,
  type HelloEvent,
  type PeerEvent,
  type ResyncEvent,
  type RouteEvent,
  type RoutesEvent,
  type SseMessage,
  type WatchEvent,
} from './watch-events';
