// The BGP session as pure functions: the RFC 4271 FSM and collision resolution. No IO.
export * from './fsm';
export * from './collision';
