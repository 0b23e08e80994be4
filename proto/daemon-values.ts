/**
 * Values the proto carries as plain strings, as the daemon understands them (enums of the proto are typed by
 * the generated code; these are not enums on the wire).
 */

/** `IPSet.type`: the ipset kinds Chaos Mesh v2.8's controller creates. */
export const IPSET_TYPES = ['hash:net', 'hash:net,port', 'list:set'] as const;
export type IPSetType = (typeof IPSET_TYPES)[number];
