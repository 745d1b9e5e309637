// How routes are stored and shown: canonical attribute sets (shared by live sessions and MRT
// snapshots) and a RIB seen as engine routes. Pure.
export * from './canonical';
export * from './route-view';
