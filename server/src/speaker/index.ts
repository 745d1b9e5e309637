// The kube-routes-speaker daemon: Node adapters around the codec, FSM and RIB.
export { Speaker, ListenError } from './speaker';
export { handleApiRequest, startApiServer, type RouteStateSource } from './api';
export { jsonLogger, memoryLogger, type Logger } from './log';
export {
  PeerEvents,
  peerLabel,
  type BgpPeerRef,
  type BmpPeerDownCause,
  type BmpPeerRef,
  type BmpPolicy,
  type PeerDownCause,
  type PeerDownEvent,
  type PeerUpEvent,
  type PeerEvent,
  type PeerEventListener,
  type PeerEventSink,
  type PeerRef,
} from './peer-events';
export { logPeerEvent } from './peer-event-log';
