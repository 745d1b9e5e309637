// The kube-routes-speaker daemon: Node adapters around the codec, FSM and RIB.
export { Speaker, ListenError } from './speaker';
export { handleApiRequest, startApiServer, type RouteStateSource } from './api';
export { jsonLogger, memoryLogger, type Logger } from './log';
