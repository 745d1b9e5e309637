// How routes are stored and shown: canonical attribute sets (shared by live sessions and MRT
// snapshots), UPDATEs applied to a RIB, and a RIB seen as engine routes. Pure.
export * from './canonical';
export * from './apply-update';
export * from './route-view';
