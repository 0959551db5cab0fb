// Original file: proto/oip_predict_v2.proto


export interface ServerMetadataResponse {
  'name'?: (string);
  'version'?: (string);
  /**
   * Protocol extensions the server offers.
   */
  'extensions'?: (string)[];
}

export interface ServerMetadataResponse__Output {
  'name': (string);
  'version': (string);
  /**
   * Protocol extensions the server offers.
   */
  'extensions': (string)[];
}
