// The RIB seen from above: UPDATEs applied to a RIB (BGP peers and BMP alike), and a RIB seen as
// engine routes (the speaker's API, check --bgp, the language server). Pure.
export * from './apply-update';
export * from './route-view';
export { RouteJson, RoutesJsonWriter } from './route-json';
