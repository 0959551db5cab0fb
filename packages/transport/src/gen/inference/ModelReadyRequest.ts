// Original file: proto/oip_predict_v2.proto


export interface ModelReadyRequest {
  /**
   * Model name.
   */
  'name'?: (string);
  /**
   * Model version; empty lets the server choose.
   */
  'version'?: (string);
}

export interface ModelReadyRequest__Output {
  /**
   * Model name.
   */
  'name': (string);
  /**
   * Model version; empty lets the server choose.
   */
  'version': (string);
}
