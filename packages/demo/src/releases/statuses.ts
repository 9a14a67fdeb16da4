/** A volume's lifecycle, as Cinder's: where each status may move to. Both releases share it. */
export const VOLUME_TRANSITIONS = {
  creating: ['available', 'error'],
  available: ['attaching', 'deleting'],
  attaching: ['in-use', 'available'],
  'in-use': ['detaching'],
  detaching: ['available', 'in-use'],
  deleting: ['deleted', 'error'],
  deleted: [],
  error: ['deleting'],
} as const satisfies Record<string, readonly string[]>;

export type VolumeStatus = keyof typeof VOLUME_TRANSITIONS;
